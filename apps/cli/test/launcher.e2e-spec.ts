import { execFile, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { FakeCore } from './fake-core';
import * as fx from './fixtures';

/** The real executable: tools/voltha started from another directory, against the fake core-config. */

const LAUNCHER = join(__dirname, '..', '..', '..', 'tools', 'voltha');

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function voltha(args: string[], env: Record<string, string> = {}): Promise<Exit> {
  return new Promise((resolve) => {
    execFile(
      LAUNCHER,
      args,
      { cwd: tmpdir(), env: { ...process.env, ...env }, timeout: 20_000 },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: number }).code ?? null) : 0;
        resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
      }
    );
  });
}

let fake: FakeCore;

beforeAll(async () => {
  fake = new FakeCore();
  await fake.start();
});

afterAll(async () => {
  await fake.stop();
});

describe('tools/voltha', () => {
  it('lists devices from any working directory', async () => {
    const r = await voltha(['device', 'list', '--server', fake.address]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^ID\s+TYPE\s+ROOT\s+PARENTID\s+SERIAL\s+ADDRESS\s+ADMIN\s+OPER\s+CONNECT\s+REASON$/
    );
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual([fx.OLT_ID, fx.ONU_ID]);
  });

  it('reads $VOLTHA and prints JSON', async () => {
    const r = await voltha(['device', 'flows', fx.OLT_ID, '-o', 'json'], { VOLTHA: fake.address });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)[0]).toMatchObject({ id: fx.trapFlow.id, cookie: fx.U64_MAX });
  });

  it('exits 1 with one line for a missing device, 2 with a usage line for a bad flag', async () => {
    const missing = await voltha(['device', 'enable', '123', '--server', fake.address]);
    expect(missing).toEqual({ code: 1, stdout: '', stderr: 'voltha: device 123 not found\n' });
    const bad = await voltha(['device', 'list', '--nope']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe(
      "voltha: unknown flag '--nope' for 'voltha device list'; usage: voltha device list [-o FORMAT] [-q]\n"
    );
  });

  it('events tail follows the stream until Ctrl-C (SIGINT), then exits 0', async () => {
    const child = spawn(LAUNCHER, ['events', 'tail', '--server', fake.address], { cwd: tmpdir() });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.split('\n').length > 3) resolve();
      })
    );
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
    expect(
      stdout
        .trimEnd()
        .split('\n')
        .map((l) => l.split(' ')[1])
    ).toEqual(['seq=101', 'seq=102', `seq=${fx.U64_MAX}`]);
  });
});
