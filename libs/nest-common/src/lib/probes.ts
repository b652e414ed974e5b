export type ProbeStatus = 'preparing' | 'running' | 'failed' | 'stopped';

/**
 * Health of a process's subsystems (kv, kafka, grpc, ...). /healthz is OK while nothing has failed,
 * /readyz only when every registered subsystem is running.
 */
export class ProbeRegistry {
  private readonly statuses = new Map<string, { status: ProbeStatus; detail?: string }>();

  public register(name: string): void {
    if (!this.statuses.has(name)) this.statuses.set(name, { status: 'preparing' });
  }

  public set(name: string, status: ProbeStatus, detail?: string): void {
    this.statuses.set(name, { status, detail });
  }

  public isHealthy(): boolean {
    return [...this.statuses.values()].every((s) => s.status !== 'failed');
  }

  public isReady(): boolean {
    return this.statuses.size > 0 && [...this.statuses.values()].every((s) => s.status === 'running');
  }

  public snapshot(): Record<string, { status: ProbeStatus; detail?: string }> {
    return Object.fromEntries(this.statuses);
  }
}
