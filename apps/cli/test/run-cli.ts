import { main } from '../src/app/cli';
import type { CliIo } from '../src/app/cli';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs main() in-process with captured output. */
export async function runCli(argv: readonly string[], io: Partial<CliIo> = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: {},
    ...io
  });
  return { code, stdout, stderr };
}
