import { AdapterAgentProcess, CoreConfigProcess, eventually } from './support/processes';
import { ADMIN, OPER, Pon } from './support/pon';

jest.setTimeout(120_000);

/**
 * A scaled OLT (BBSim-like numbering) with the 1.x simulator timings, on the embedded store. The 16 x 128
 * run is `npm run bench:activation` (too long for the suite).
 */
describe('adapter-agent: a 2 x 16 OLT with the 1.x timings', () => {
  const core = new CoreConfigProcess();
  let agent: AdapterAgentProcess;
  let pon: Pon;
  let oltId = '';

  beforeAll(async () => {
    await core.start();
    agent = new AdapterAgentProcess(core.address, ['--sim-timing-scale', '1']);
    await agent.start();
    pon = new Pon(core.voltha);
  });

  afterAll(async () => {
    await agent?.stop();
    await core.dispose();
  });

  it('activates 32 ONUs with the scaled numbering', async () => {
    oltId = await pon.createOlt('--pon-ports 2 --onus-per-pon 16');
    const t0 = Date.now();
    await pon.call('EnableDevice', oltId);
    const s = await pon.waitActive(oltId, 32, 60_000);
    const elapsed = Date.now() - t0;
    // 16 discovery batches 50 ms apart plus the 1.x activation steps: a few seconds at most.
    expect(elapsed).toBeLessThan(30_000);
    expect((s.ports.get(oltId) ?? []).map((p) => [p.portNo, p.peers.length])).toEqual([
      [1, 16],
      [2, 16],
      [65536, 0]
    ]);
    const uniNos = (pon: number): number[] =>
      Array.from({ length: 16 }, (_, i) => 100 + (pon - 1) * 128 + i + 1);
    expect(s.logicalPorts.map((p) => p.ofpPort.portNo)).toEqual([...uniNos(1), ...uniNos(2), 65536]);
    expect(new Set(s.onus.map((o) => o.proxyAddress?.channelId)).size).toBe(32);
  });

  it('disables and re-enables the 32 ONUs with their OLT', async () => {
    await pon.call('DisableDevice', oltId);
    await eventually('32 ONUs disabled', async () => {
      const onus = await pon.children(oltId);
      return (
        onus.length === 32 &&
        onus.every((o) => o.adminState === ADMIN.DISABLED && o.operStatus === OPER.UNKNOWN)
      );
    });
    expect(await pon.logicalDevices()).toEqual([]);
    await pon.call('EnableDevice', oltId);
    const s = await pon.waitActive(oltId, 32, 60_000);
    expect(s.logicalPorts).toHaveLength(33);
  });

  it('deletes the OLT with its 32 ONUs in one step', async () => {
    await pon.call('DisableDevice', oltId);
    await eventually('OLT disabled', async () => (await pon.device(oltId)).operStatus === OPER.UNKNOWN);
    await pon.call('DeleteDevice', oltId);
    await eventually('no devices left', async () => (await pon.devices()).length === 0);
    expect(await pon.logicalDevices()).toEqual([]);
  });
});
