import { ConfigEvent, Device, GetResponse, toAny } from '@voltha/proto';

import { ApiError, Code } from './api';
import type { VolthaApi, WatchHandle } from './api';
import type { FlagValue } from './args';
import type { CommandContext, Handler } from './context';
import { CliError, UsageError } from './errors';
import * as h from './handlers';

/** The handlers against a stub API: no gRPC, no process. */

function stubApi(overrides: Partial<VolthaApi>): VolthaApi {
  const missing = (): never => {
    throw new Error('not stubbed');
  };
  return new Proxy(overrides as VolthaApi, {
    get: (target, key: string) =>
      key in target ? target[key as keyof VolthaApi] : key === 'address' ? 'stub:1' : missing
  });
}

interface Ran {
  code: number;
  out: string;
  err: string;
}

async function runHandler(
  handler: Handler,
  api: VolthaApi,
  args: string[] = [],
  flags: Record<string, FlagValue> = {},
  interrupted: Promise<void> = new Promise(() => undefined)
): Promise<Ran> {
  let out = '';
  let err = '';
  const ctx: CommandContext = {
    args,
    flags,
    server: 'stub:1',
    timeoutMs: 1000,
    api: () => api,
    decomposer: 'stub:2',
    decomposerApi: () => {
      throw new Error('not stubbed');
    },
    out: (t) => (out += t),
    err: (t) => (err += t),
    interrupted,
    help: (words) => `help for ${words.join(' ')}\n`
  };
  const code = (await handler(ctx)) ?? 0;
  return { code, out, err };
}

const notFound = (method: string): ApiError => new ApiError(Code.NOT_FOUND, 'gone', method, 'stub:1');

describe('handlers', () => {
  it('diffRequest prefers tag names, then hashes', () => {
    const tags = new Set(['before', 'after']);
    expect(h.diffRequest('before', undefined, tags, '')).toEqual({
      path: '',
      hash1: '',
      hash2: '',
      tag1: 'before',
      tag2: ''
    });
    expect(h.diffRequest('abc', 'after', tags, '/x')).toEqual({
      path: '/x',
      hash1: 'abc',
      hash2: '',
      tag1: '',
      tag2: 'after'
    });
    expect(h.diffRequest('before', 'def', tags, '')).toMatchObject({ tag1: 'before', hash2: 'def' });
  });

  it('device create sends only the flags given and rejects two addresses', async () => {
    const createDevice = jest.fn(async () => Device.fromPartial({ id: 'new' }));
    const api = stubApi({ createDevice });
    expect(await runHandler(h.deviceCreate, api, [], { type: 'simulated_olt', ipv4: '10.0.0.1' })).toEqual({
      code: 0,
      out: 'new\n',
      err: ''
    });
    expect(createDevice).toHaveBeenCalledWith({ type: 'simulated_olt', ipv4Address: '10.0.0.1' });
    await expect(
      runHandler(h.deviceCreate, api, [], { type: 't', mac: 'm', 'host-and-port': 'h:1' })
    ).rejects.toThrow(new UsageError('give only one address (--mac, --host-and-port given)'));
  });

  it('device actions continue past refused devices but stop when the server is unreachable', async () => {
    const enableDevice = jest.fn(async (id: string) => {
      if (id === 'x') throw notFound('EnableDevice');
      if (id === 'y') throw new ApiError(Code.FAILED_PRECONDITION, 'busy', 'EnableDevice', 'stub:1');
    });
    const ran = await runHandler(h.deviceAction('enableDevice', 'enable'), stubApi({ enableDevice }), [
      'a',
      'x',
      'y',
      'b'
    ]);
    expect(ran).toEqual({
      code: 1,
      out: 'a\nb\n',
      err: 'voltha: device x not found\nvoltha: cannot enable device y: busy\n'
    });
    const down = jest.fn(async () => {
      throw new ApiError(Code.UNAVAILABLE, 'x', 'DisableDevice', 'stub:1', 'connection refused');
    });
    await expect(
      runHandler(h.deviceAction('disableDevice', 'disable'), stubApi({ disableDevice: down }), ['a', 'b'])
    ).rejects.toThrow(ApiError);
    expect(down).toHaveBeenCalledTimes(1);
  });

  it('ports and flows turn NOT_FOUND into "<what> not found"', async () => {
    const api = stubApi({
      listDevicePorts: async () => Promise.reject(notFound('ListDevicePorts')),
      listLogicalDeviceFlows: async () => Promise.reject(notFound('ListLogicalDeviceFlows'))
    });
    await expect(runHandler(h.devicePorts, api, ['d9'])).rejects.toThrow(new CliError('device d9 not found'));
    await expect(runHandler(h.logicalDeviceFlows, api, ['l9'])).rejects.toThrow(
      new CliError('logical device l9 not found')
    );
  });

  it('config get: -q needs a list of a known type', async () => {
    const single = stubApi({
      get: async () =>
        GetResponse.fromPartial({ isList: false, data: toAny(Device.fromPartial({ id: 'd' })) as never })
    });
    await expect(runHandler(h.configGet, single, ['/devices/d'], { quiet: true })).rejects.toThrow(
      UsageError
    );
    const empty = stubApi({ get: async () => GetResponse.fromPartial({ isList: false }) });
    expect((await runHandler(h.configGet, empty, ['/x'], { output: 'json' })).out).toBe('null\n');
  });

  it('events tail stops after --count and on interrupt', async () => {
    const events = ['1', '2', '3'].map((seq) => ConfigEvent.fromPartial({ seq, path: '/p' }));
    let cancelled = 0;
    const watch = (_req: unknown, onEvent: (e: ConfigEvent) => void): WatchHandle => {
      let resolve: () => void = () => undefined;
      const done = new Promise<void>((r) => (resolve = r));
      setImmediate(() => events.forEach(onEvent));
      return {
        done,
        cancel: () => {
          cancelled++;
          resolve();
        }
      };
    };
    const api = stubApi({ watch });
    const two = await runHandler(h.eventsTail, api, [], { count: 2 });
    expect(two.out.trimEnd().split('\n')).toEqual([
      '- seq=1 add    /p key= hash= root=',
      '- seq=2 add    /p key= hash= root='
    ]);
    expect(cancelled).toBe(1);
    const all = await runHandler(h.eventsTail, api, [], {}, new Promise((r) => setTimeout(r, 20)));
    expect(all.out.trimEnd().split('\n')).toHaveLength(3);
    expect(cancelled).toBe(2);
  });

  it('version --client-only does not touch the API; help prints the help of the words', async () => {
    const client = { version: '9.9.9', node: 'v20', os: 'linux', arch: 'x64' };
    const api = stubApi({});
    expect((await runHandler(h.versionHandler(client), api, [], { 'client-only': true })).out).toBe(
      'Client:\n  Version:    9.9.9\n  Node:       v20\n  OS/Arch:    linux/x64\n'
    );
    expect(
      (await runHandler(h.versionHandler(client), api, [], { 'client-only': true, output: 'json' })).out
    ).toBe(JSON.stringify({ client }, null, 2) + '\n');
    expect((await runHandler(h.help, api, ['device', 'list'])).out).toBe('help for device list\n');
  });
});
