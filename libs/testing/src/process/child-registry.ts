import type { ChildProcess } from 'node:child_process';

/**
 * Last line of defence for harness-spawned processes: if the test process exits without the
 * harness having been stopped (a crashed test file, a forgotten afterAll), kill what is left.
 * Harnesses still stop their children explicitly; this only catches leaks.
 */
const live = new Set<ChildProcess>();
let hooked = false;

function killAll(): void {
  for (const child of live) {
    try {
      if (child.pid !== undefined) {
        // Harness children are process-group leaders (spawned detached): kill the group.
        process.kill(-child.pid, 'SIGKILL');
      }
    } catch {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  live.clear();
}

export function trackChild(child: ChildProcess): void {
  if (!hooked) {
    hooked = true;
    process.once('exit', killAll);
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/** Resolves when the child has exited (immediately if it already has). */
export function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve(true);
  }
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

/** Send `signal` to the child's process group (falls back to the child alone). */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** SIGTERM the group, then SIGKILL if it has not exited within `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  signalGroup(child, 'SIGTERM');
  if (!(await waitForExit(child, graceMs))) {
    signalGroup(child, 'SIGKILL');
    await waitForExit(child, graceMs);
  }
}
