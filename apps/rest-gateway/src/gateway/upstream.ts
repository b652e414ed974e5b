import { fromBinary, toBinary } from '@bufbuild/protobuf';
import type { DescMessage, Message } from '@bufbuild/protobuf';
import { Client, Metadata, connectivityState, credentials } from '@grpc/grpc-js';
import type { ClientReadableStream } from '@grpc/grpc-js';

import type { GatewayRoute } from './route-table';

export interface UpstreamOptions {
  /** host:port of the gRPC server (core-config). */
  address: string;
  /** Deadline of one unary call, ms. */
  requestTimeoutMs: number;
  /** Upper bound of the reconnect backoff, ms: how long a recovered server may wait to be noticed. */
  reconnectMaxBackoffMs: number;
}

/** What the HTTP side needs from the gRPC side; the tests replace it. */
export interface UpstreamCaller {
  unary(route: GatewayRoute, request: Message, metadata: Record<string, string>): Promise<Message>;
  serverStream(
    route: GatewayRoute,
    request: Message,
    metadata: Record<string, string>
  ): ClientReadableStream<Message>;
}

export type UpstreamState = 'IDLE' | 'CONNECTING' | 'READY' | 'TRANSIENT_FAILURE' | 'SHUTDOWN';

const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/**
 * One grpc-js channel to core-config, called generically: the method path comes from the route, and
 * messages are (de)serialised with protobuf-es from the descriptors, so every RPC works without
 * per-method code. Calls do not wait for the channel to be ready (waitForReady false) and carry a
 * deadline: while core-config is down a call fails at once with UNAVAILABLE (HTTP 503) instead of
 * queueing. The channel reconnects by itself with a capped backoff, so calls work again as soon as
 * the server is back.
 */
export class Upstream implements UpstreamCaller {
  private readonly client: Client;
  private closed = false;

  public constructor(private readonly options: UpstreamOptions) {
    const initial = Math.min(100, options.reconnectMaxBackoffMs);
    this.client = new Client(options.address, credentials.createInsecure(), {
      'grpc.initial_reconnect_backoff_ms': initial,
      'grpc.max_reconnect_backoff_ms': options.reconnectMaxBackoffMs,
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES
    });
  }

  public unary(route: GatewayRoute, request: Message, metadata: Record<string, string>): Promise<Message> {
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest<Message, Message>(
        route.grpcPath,
        serializer(route.rpc.input),
        deserializer(route.rpc.output),
        request,
        toMetadata(metadata),
        { deadline: Date.now() + this.options.requestTimeoutMs },
        (err, response) => (err ? reject(err) : resolve(response!))
      );
    });
  }

  /** A server stream without deadline (it lives as long as the HTTP client listens). */
  public serverStream(
    route: GatewayRoute,
    request: Message,
    metadata: Record<string, string>
  ): ClientReadableStream<Message> {
    return this.client.makeServerStreamRequest<Message, Message>(
      route.grpcPath,
      serializer(route.rpc.input),
      deserializer(route.rpc.output),
      request,
      toMetadata(metadata),
      {}
    );
  }

  /** Current channel state; `connect` starts connecting an idle channel. */
  public state(connect = false): UpstreamState {
    if (this.closed) return 'SHUTDOWN';
    return connectivityState[this.client.getChannel().getConnectivityState(connect)] as UpstreamState;
  }

  /** Calls `listener` on every channel state change until close(). */
  public watch(listener: (state: UpstreamState) => void): void {
    const loop = (): void => {
      if (this.closed) return;
      const channel = this.client.getChannel();
      const current = channel.getConnectivityState(false);
      if (current === connectivityState.SHUTDOWN) return;
      channel.watchConnectivityState(current, Infinity, (err) => {
        if (this.closed || err) return;
        listener(this.state());
        loop();
      });
    };
    loop();
  }

  public close(): void {
    this.closed = true;
    this.client.close();
  }
}

function serializer(desc: DescMessage): (m: Message) => Buffer {
  return (m) => {
    const bytes = toBinary(desc, m);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

function deserializer(desc: DescMessage): (b: Buffer) => Message {
  return (b) => fromBinary(desc, b);
}

function toMetadata(values: Record<string, string>): Metadata {
  const md = new Metadata({ waitForReady: false });
  for (const [k, v] of Object.entries(values)) md.set(k, v);
  return md;
}
