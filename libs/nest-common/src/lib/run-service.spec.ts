import { int, oneOf } from './config-reader';
import { runService } from './run-service';
import type { ServiceIo } from './run-service';

const options = {
  port: int('port', 'PORT', 1, 'a port', { min: 1 }),
  logLevel: oneOf('log-level', 'LOG_LEVEL', 'error', ['debug', 'info', 'warn', 'error'] as const, 'Log level')
};

function io(
  argv: string[]
): ServiceIo & { out: string; err: string; codes: number[]; signals: Map<string, () => void> } {
  const state = {
    argv,
    env: {},
    out: '',
    err: '',
    codes: [] as number[],
    signals: new Map<string, () => void>(),
    stdout(t: string) {
      state.out += t;
    },
    stderr(t: string) {
      state.err += t;
    },
    exit(code: number) {
      state.codes.push(code);
    },
    onSignal(signal: NodeJS.Signals, handler: () => void) {
      state.signals.set(signal, handler);
    }
  };
  return state;
}

const settle = () => new Promise((r) => setTimeout(r, 10));

describe('runService', () => {
  it('should print the settings for --help and not start', async () => {
    const start = jest.fn();
    const x = io(['--help']);
    await runService({ name: 'svc', options, start }, x);
    expect(x.out).toContain('usage: svc [flags]');
    expect(x.out).toContain('--port');
    expect(start).not.toHaveBeenCalled();
  });

  it('should exit 2 with every problem on bad settings', async () => {
    const x = io(['--port', '0', '--nope']);
    await runService({ name: 'svc', options, start: jest.fn() }, x);
    expect(x.codes).toEqual([2]);
    expect(x.err).toContain('unknown flag --nope');
    expect(x.err).toContain('--port: 0 is below the minimum 1');
  });

  it('should start with the parsed settings and stop gracefully on SIGTERM', async () => {
    const close = jest.fn(async () => undefined);
    const x = io(['--port', '7']);
    let seen = 0;
    await runService({ name: 'svc', options, start: async (c) => ((seen = c.port), { close }) }, x);
    expect(seen).toBe(7);
    x.signals.get('SIGTERM')?.();
    await settle();
    expect(close).toHaveBeenCalledTimes(1);
    expect(x.codes).toEqual([0]);
  });

  it('should exit 1 when the start fails, and 0 when it was aborted by a signal', async () => {
    const failing = io([]);
    await runService(
      { name: 'svc', options, start: async () => Promise.reject(new Error('no store')) },
      failing
    );
    expect(failing.codes).toEqual([1]);

    const aborted = io([]);
    const run = runService(
      {
        name: 'svc',
        options,
        start: (_c, _l, signal) =>
          new Promise<{ close(): Promise<void> }>((_resolve, reject) =>
            signal.addEventListener('abort', () => reject(new Error('aborted')))
          )
      },
      aborted
    );
    await settle();
    aborted.signals.get('SIGINT')?.();
    await run;
    expect(aborted.codes).toEqual([0]);
  });

  it('should exit at once on a second signal', async () => {
    const x = io([]);
    await runService(
      { name: 'svc', options, start: async () => ({ close: () => new Promise<void>(() => undefined) }) },
      x
    );
    x.signals.get('SIGINT')?.();
    x.signals.get('SIGINT')?.();
    expect(x.codes).toEqual([1]);
  });
});
