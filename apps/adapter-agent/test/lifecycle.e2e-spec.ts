import { AdapterAgentProcess, CoreConfigProcess, eventually } from './support/processes';
import { ADMIN, CONNECT, OPER, Pon } from './support/pon';

jest.setTimeout(120_000);

/** The device lifecycle of adapters-api.md §1.7 (ponsim reference) on the simulated PON. */
describe('adapter-agent: disable, re-enable, reboot and delete (spec §1.7)', () => {
  const core = new CoreConfigProcess(['--backend', 'none']);
  let agent: AdapterAgentProcess;
  let pon: Pon;
  let oltId = '';
  let firstLogicalDevice = '';

  beforeAll(async () => {
    await core.start();
    // Reboots last long enough to be seen.
    agent = new AdapterAgentProcess(core.address, ['--sim-reboot-time', '1500']);
    await agent.start();
    pon = new Pon(core.voltha);
    oltId = await pon.createOlt();
    await pon.call('EnableDevice', oltId);
    firstLogicalDevice = (await pon.waitActive(oltId, 4, 30_000)).olt.parentId;
  });

  afterAll(async () => {
    await agent?.stop();
    await core.dispose();
  });

  it('disabling an ONU removes its UNI logical port; enabling it brings the port back', async () => {
    const onu = (await pon.state(oltId)).onus[0];
    await pon.call('DisableDevice', onu.id);
    await eventually('ONU disabled', async () => {
      const d = await pon.device(onu.id);
      return (
        d.adminState === ADMIN.DISABLED &&
        d.operStatus === OPER.UNKNOWN &&
        d.connectStatus === CONNECT.UNREACHABLE
      );
    });
    await eventually(
      '4 logical ports',
      async () => (await pon.logicalPorts(firstLogicalDevice)).length === 4
    );
    const ports = await pon.ports(onu.id);
    expect(ports.every((p) => p.adminState === ADMIN.DISABLED && p.operStatus === OPER.UNKNOWN)).toBe(true);

    await pon.call('EnableDevice', onu.id);
    await pon.waitActive(oltId, 4, 30_000);
    const lports = await pon.logicalPorts(firstLogicalDevice);
    expect(lports.map((p) => p.id)).toEqual(['101', '102', '103', '104', 'nni']);
  });

  it('disabling the OLT: OLT UNKNOWN/UNREACHABLE, logical device gone, ONUs DISABLED/UNKNOWN, ports and peers down', async () => {
    await pon.call('DisableDevice', oltId);
    const s = await eventually('OLT and ONUs disabled', async () => {
      const state = await pon.state(oltId);
      const done =
        state.olt.adminState === ADMIN.DISABLED &&
        state.olt.operStatus === OPER.UNKNOWN &&
        state.olt.connectStatus === CONNECT.UNREACHABLE &&
        state.onus.length === 4 &&
        state.onus.every(
          (o) =>
            o.adminState === ADMIN.DISABLED &&
            o.operStatus === OPER.UNKNOWN &&
            o.connectStatus === CONNECT.UNREACHABLE
        );
      return done ? state : undefined;
    });
    expect(s.olt.parentId).toBe('');
    expect(await pon.logicalDevices()).toEqual([]);
    for (const [, ports] of s.ports) {
      expect(ports.every((p) => p.adminState === ADMIN.DISABLED && p.operStatus === OPER.UNKNOWN)).toBe(true);
      expect(ports.every((p) => p.peers.length === 0)).toBe(true);
    }
  });

  it('re-enabling the OLT: a new logical device with NNI and UNIs, everything ACTIVE again with peers', async () => {
    await pon.call('EnableDevice', oltId);
    const s = await pon.waitActive(oltId, 4, 30_000);
    expect(s.olt).toMatchObject({ adminState: ADMIN.ENABLED, connectStatus: CONNECT.REACHABLE });
    expect(s.olt.parentId).not.toBe(firstLogicalDevice);
    expect(s.logicalDevices.map((l) => l.id)).toEqual([s.olt.parentId]);
    expect(s.logicalPorts.map((p) => p.id)).toEqual(['101', '102', '103', '104', 'nni']);
    expect(s.onus.every((o) => o.adminState === ADMIN.ENABLED)).toBe(true);
    for (const onu of s.onus)
      expect(s.ports.get(onu.id)?.[0].peers).toEqual([{ deviceId: oltId, portNo: 1 }]);
    expect((s.ports.get(oltId) ?? [])[0].peers).toHaveLength(4);
    expect(
      (s.ports.get(oltId) ?? []).every((p) => p.adminState === ADMIN.ENABLED && p.operStatus === OPER.ACTIVE)
    ).toBe(true);
  });

  it('rebooting the OLT through VolthaService.RebootDevice: ACTIVATING/UNREACHABLE (ONUs UNREACHABLE) for a while, then back', async () => {
    await pon.call('RebootDevice', oltId);
    const during = await pon.state(oltId);
    expect(during.olt).toMatchObject({
      adminState: ADMIN.ENABLED,
      operStatus: OPER.ACTIVATING,
      connectStatus: CONNECT.UNREACHABLE
    });
    expect(
      during.onus.every((o) => o.connectStatus === CONNECT.UNREACHABLE && o.adminState === ADMIN.ENABLED)
    ).toBe(true);
    const after = await eventually('OLT back after the reboot', async () => {
      const s = await pon.state(oltId);
      const back =
        s.olt.operStatus === OPER.ACTIVE &&
        s.olt.connectStatus === CONNECT.REACHABLE &&
        s.onus.every((o) => o.connectStatus === CONNECT.REACHABLE);
      return back ? s : undefined;
    });
    expect(after.olt.adminState).toBe(ADMIN.ENABLED);
    expect(after.logicalPorts).toHaveLength(5);
  });

  it('deleting a disabled ONU through the NBI also drops its peer on the OLT PON port', async () => {
    const onu = (await pon.state(oltId)).onus[3];
    await pon.call('DisableDevice', onu.id);
    await eventually('ONU disabled', async () => (await pon.device(onu.id)).operStatus === OPER.UNKNOWN);
    await pon.call('DeleteDevice', onu.id);
    const s = await eventually('peer dropped', async () => {
      const state = await pon.state(oltId);
      const peers = (state.ports.get(oltId) ?? []).find((p) => p.portNo === 1)?.peers ?? [];
      return state.onus.length === 3 && peers.length === 3 ? state : undefined;
    });
    expect(s.logicalPorts.map((p) => p.id)).toEqual(['101', '102', '103', 'nni']);
    expect((s.ports.get(oltId) ?? [])[0].peers.map((p) => p.deviceId)).not.toContain(onu.id);
  });

  it('deleting the OLT (after disabling it) removes its ONUs and leaves no logical device', async () => {
    await expect(pon.call('DeleteDevice', oltId)).rejects.toBeDefined(); // ENABLED: refused by the core
    await pon.call('DisableDevice', oltId);
    await eventually('OLT disabled', async () => (await pon.device(oltId)).operStatus === OPER.UNKNOWN);
    await pon.call('DeleteDevice', oltId);
    await eventually('no devices left', async () => (await pon.devices()).length === 0);
    expect(await pon.logicalDevices()).toEqual([]);
  });
});
