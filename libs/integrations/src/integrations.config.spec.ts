import { describe, expect, it } from 'vitest';
import { type AppConfig, ConfigError } from '@atrium/platform';
import { loadIntegrationsConfig } from './integrations.config.js';

const load = (source: Record<string, string>) => loadIntegrationsConfig({} as AppConfig, source);

describe('loadIntegrationsConfig: health, outbound and sync settings', () => {
  it('defaults to a one-minute probe, a closed outbound policy and 100-record pages', () => {
    const config = load({});
    expect(config.health).toEqual({ intervalMs: 60_000, timeoutMs: 5000, slowMs: 1000 });
    expect(config.outbound).toEqual({ allowLoopback: false, allowPrivate: false });
    expect(config.sync).toEqual({ pageSize: 100, leaseMs: 120_000 });
  });

  it('reads fractions of seconds and the boolean switches', () => {
    const config = load({
      INTEGRATION_HEALTH_INTERVAL_SECONDS: '0.3',
      INTEGRATION_OUTBOUND_ALLOW_LOOPBACK: 'true',
      INTEGRATION_OUTBOUND_ALLOW_PRIVATE: 'false',
      INTEGRATION_SYNC_LEASE_SECONDS: '2',
    });
    expect(config.health.intervalMs).toBe(300);
    expect(config.outbound).toEqual({ allowLoopback: true, allowPrivate: false });
    expect(config.sync.leaseMs).toBe(2000);
  });

  it('refuses bad values, naming every variable', () => {
    let error: unknown;
    try {
      load({
        INTEGRATION_HEALTH_INTERVAL_SECONDS: '-1',
        INTEGRATION_HEALTH_TIMEOUT_MS: 'soon',
        INTEGRATION_OUTBOUND_ALLOW_LOOPBACK: 'maybe',
        INTEGRATION_SYNC_PAGE_SIZE: '5000',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const named = (error as ConfigError).problems.map((p) => p.split(':')[0]);
    expect(new Set(named)).toEqual(
      new Set([
        'INTEGRATION_HEALTH_INTERVAL_SECONDS',
        'INTEGRATION_HEALTH_TIMEOUT_MS',
        'INTEGRATION_OUTBOUND_ALLOW_LOOPBACK',
        'INTEGRATION_SYNC_PAGE_SIZE',
      ]),
    );
  });
});
