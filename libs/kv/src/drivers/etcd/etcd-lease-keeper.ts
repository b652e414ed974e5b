import type { Etcd3, ILeaseKeepAliveRequest, ILeaseKeepAliveResponse, IDuplexStream } from 'etcd3';

/**
 * Keeps one etcd lease alive and decides, conservatively, when it must be considered lost.
 *
 * A keepalive is sent every TTL/3 over a lease stream, one at a time. The lease counts as alive
 * until `sentAt + TTL` of the last acknowledged keepalive: etcd extends the lease when it receives
 * the keepalive (later than we sent it), so the holder always gives up before the server expires
 * the lease. A TTL of 0 in an answer means the lease is gone.
 */
export class EtcdLeaseKeeper {
  private lastAckSentAt: number;
  private stream: IDuplexStream<ILeaseKeepAliveRequest, ILeaseKeepAliveResponse> | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private inFlight = false;
  private stopped = false;

  constructor(
    private readonly client: Etcd3,
    readonly leaseId: string,
    /** TTL granted by etcd, in ms. */
    readonly ttlMs: number,
    /** When the grant was sent (the lease's TTL runs from about then). */
    grantSentAt: number,
    private readonly requestTimeoutMs: number,
    private readonly onLost: (detail: string) => void
  ) {
    this.lastAckSentAt = grantSentAt;
    this.armExpiry();
    this.scheduleTick(Math.max(1, ttlMs / 3));
  }

  /** Stop keeping the lease alive (it then expires on the server after its TTL). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.tickTimer);
    clearTimeout(this.expiryTimer);
    this.closeStream();
  }

  /** Stop and revoke the lease (its keys are deleted). Best effort, one attempt. */
  async revoke(): Promise<void> {
    this.stop();
    await this.client.leaseClient.leaseRevoke(
      { ID: this.leaseId },
      { deadline: Date.now() + this.requestTimeoutMs }
    );
  }

  private lose(detail: string): void {
    if (this.stopped) return;
    this.stop();
    this.onLost(detail);
  }

  private armExpiry(): void {
    clearTimeout(this.expiryTimer);
    const remaining = this.lastAckSentAt + this.ttlMs - Date.now();
    this.expiryTimer = setTimeout(
      () => this.lose(`lease ${this.leaseId} keepalive not acknowledged within its ${this.ttlMs}ms TTL`),
      Math.max(0, remaining)
    );
  }

  private scheduleTick(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.tickTimer);
    this.tickTimer = setTimeout(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.inFlight) return;
    this.inFlight = true;
    const sentAt = Date.now();
    try {
      const response = await this.keepAliveOnce();
      if (this.stopped) return;
      if (response.TTL === '0' || Number(response.TTL) <= 0) {
        this.lose(`lease ${this.leaseId} expired or was revoked`);
        return;
      }
      this.lastAckSentAt = Math.max(this.lastAckSentAt, sentAt);
      this.armExpiry();
      this.scheduleTick(Math.max(1, this.ttlMs / 3));
    } catch {
      // Stream broken or timed out: start a fresh stream soon; the expiry timer decides about loss.
      this.closeStream();
      this.scheduleTick(Math.min(250, Math.max(1, this.ttlMs / 6)));
    } finally {
      this.inFlight = false;
    }
  }

  private pending:
    | { readonly resolve: (r: ILeaseKeepAliveResponse) => void; readonly reject: (e: Error) => void }
    | undefined;

  private async keepAliveOnce(): Promise<ILeaseKeepAliveResponse> {
    const stream = this.stream ?? (await this.openStream());
    return new Promise<ILeaseKeepAliveResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        reject(new Error('keepalive timed out'));
      }, this.requestTimeoutMs);
      this.pending = {
        resolve: (response) => {
          clearTimeout(timer);
          this.pending = undefined;
          resolve(response);
        },
        reject: (error) => {
          clearTimeout(timer);
          this.pending = undefined;
          reject(error);
        }
      };
      stream.write({ ID: this.leaseId });
    });
  }

  private async openStream(): Promise<IDuplexStream<ILeaseKeepAliveRequest, ILeaseKeepAliveResponse>> {
    let timer: NodeJS.Timeout | undefined;
    const stream = await Promise.race([
      this.client.leaseClient.leaseKeepAlive(),
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error('keepalive stream open timed out')), this.requestTimeoutMs);
      })
    ]).finally(() => clearTimeout(timer));
    const broken = (error: Error): void => {
      if (this.stream === stream) this.stream = undefined;
      this.pending?.reject(error);
    };
    // Listeners stay for the stream's life, so a late error on an idle stream is never unhandled.
    stream.on('data', (response) => {
      if (this.stream === stream) this.pending?.resolve(response);
    });
    stream.on('error', (error) => broken(error instanceof Error ? error : new Error(String(error))));
    stream.on('end', () => broken(new Error('keepalive stream ended')));
    if (this.stopped) {
      stream.end();
      throw new Error('stopped');
    }
    this.stream = stream;
    return stream;
  }

  private closeStream(): void {
    const stream = this.stream;
    this.stream = undefined;
    if (stream !== undefined) {
      try {
        stream.end();
      } catch {
        // already closed
      }
    }
  }
}
