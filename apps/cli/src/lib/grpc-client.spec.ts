import { Device, toAny } from '@voltha/proto';
import type { ConfigEvent, GetResponse } from '@voltha/proto';

import { normalizeLoaderObject, toMessage } from './grpc-client';

describe('proto-loader objects to typed messages', () => {
  it('renames google.protobuf.Any fields and keeps bytes', () => {
    const value = Buffer.from([1, 2]);
    expect(normalizeLoaderObject({ a: [{ b: { type_url: 't', value } }], c: value })).toEqual({
      a: [{ b: { typeUrl: 't', value } }],
      c: value
    });
  });

  it('decodes nested Any values, 64-bit strings and enum numbers', () => {
    const any = toAny(Device.fromPartial({ id: 'd1' }));
    const event = toMessage<ConfigEvent>('voltha.ConfigEvent', {
      type: 2,
      seq: '18446744073709551615',
      message: { type_url: any.typeUrl, value: Buffer.from(any.value) },
      timestamp: { seconds: '10', nanos: 5 },
      // proto-loader's oneof marker fields are ignored
      address: 'macAddress'
    });
    expect(event).toMatchObject({
      $type: 'voltha.ConfigEvent',
      type: 2,
      seq: '18446744073709551615',
      path: ''
    });
    expect(event.message?.typeUrl).toBe('type.googleapis.com/voltha.Device');
    expect(event.timestamp).toMatchObject({ seconds: '10', nanos: 5 });
    const get = toMessage<GetResponse>('voltha.GetResponse', undefined);
    expect(get).toMatchObject({ isList: false, items: [] });
  });
});
