import { ConfigError } from '@voltha/nest-common';
import { DEFAULT_SIMULATED_TIMINGS } from '@voltha/adapters';

import { advertisedAddress, readAdapterAgentConfig, simulatedTimings } from './adapter-agent.config';

describe('adapter-agent settings', () => {
  it('has defaults for one machine next to a default core-config', () => {
    const c = readAdapterAgentConfig([], {});
    expect(c).toMatchObject({
      core: 'localhost:50057',
      kafka: [],
      grpcHost: '0.0.0.0',
      grpcPort: 50060,
      probePort: 8081,
      logLevel: 'info',
      simTimingScale: 1,
      kpiIntervalMs: 15000,
      alarmIntervalMs: 30000
    });
    expect(advertisedAddress(c)).toBe('localhost:50060');
    expect(simulatedTimings(c)).toEqual(DEFAULT_SIMULATED_TIMINGS);
  });

  it('takes flags over environment variables', () => {
    const c = readAdapterAgentConfig(
      ['--core', 'core:1', '--kafka=k1:9092,k2:9092', '--grpc-port', '50070'],
      {
        CORE: 'other:2',
        GRPC_HOST: '10.0.0.5',
        KPI_INTERVAL: '0'
      }
    );
    expect(c).toMatchObject({
      core: 'core:1',
      kafka: ['k1:9092', 'k2:9092'],
      grpcPort: 50070,
      kpiIntervalMs: 0
    });
    expect(advertisedAddress(c)).toBe('10.0.0.5:50070');
    expect(advertisedAddress({ ...c, advertiseAddress: 'agent.voltha:50060' })).toBe('agent.voltha:50060');
  });

  it('scales the 1.x simulator delays; individual delays win; KPI and alarm periods are not scaled', () => {
    const c = readAdapterAgentConfig(['--sim-timing-scale', '0.5', '--sim-reboot-time', '1500'], {});
    expect(simulatedTimings(c)).toEqual({
      ...DEFAULT_SIMULATED_TIMINGS,
      activationDelayMs: 100,
      stepDelayMs: 25,
      discoveryDelayMs: 50,
      discoveryBatchDelayMs: 25,
      echoDelayMs: 100,
      proxiedResponseTimeoutMs: 5000,
      rebootTimeMs: 1500
    });
    const zero = simulatedTimings(readAdapterAgentConfig(['--sim-timing-scale', '0'], {}));
    expect(zero.activationDelayMs + zero.discoveryBatchDelayMs + zero.echoDelayMs).toBe(0);
    expect(zero.kpiIntervalMs).toBe(DEFAULT_SIMULATED_TIMINGS.kpiIntervalMs);
  });

  it('reports every bad value at once', () => {
    let error: ConfigError | undefined;
    try {
      readAdapterAgentConfig(
        ['--core', 'nohost', '--grpc-port', '0', '--sim-timing-scale', '-1', '--bogus'],
        {
          ADVERTISE_ADDRESS: 'no-port'
        }
      );
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.problems).toHaveLength(5);
    expect(error?.message).toContain('unknown flag --bogus');
    expect(error?.message).toContain("--core: 'nohost' is not host:port");
    expect(error?.message).toContain('ADVERTISE_ADDRESS');
  });
});
