import { describe, expect, it } from 'vitest';
import { joinUrl, nextHealth } from './health-monitor.js';
import { integrationStatus } from './integration-health-reader.js';

const ok = (ms: number) => ({ ok: true, ms, error: null });
const failed = { ok: false, ms: null, error: 'No answer within 5000 ms' };

describe('nextHealth', () => {
  it('is degraded for the first two failed probes in a row and down from the third, publishing down once', () => {
    let state = undefined as { status: 'healthy' | 'degraded' | 'down'; consecutive_failures: number } | undefined;
    const seen: Array<[string, number, string | null]> = [];
    for (let i = 0; i < 5; i++) {
      const next = nextHealth(state, failed, 1000);
      seen.push([next.status, next.consecutive_failures, next.transition]);
      state = next;
    }
    expect(seen).toEqual([
      ['degraded', 1, null],
      ['degraded', 2, null],
      ['down', 3, 'down'],
      ['down', 4, null],
      ['down', 5, null],
    ]);
  });

  it('recovers on the first success after down, and only then', () => {
    expect(nextHealth({ status: 'down', consecutive_failures: 7 }, ok(20), 1000)).toEqual({
      status: 'healthy',
      consecutive_failures: 0,
      transition: 'recovered',
    });
    expect(nextHealth({ status: 'degraded', consecutive_failures: 2 }, ok(20), 1000)).toEqual({
      status: 'healthy',
      consecutive_failures: 0,
      transition: null,
    });
    expect(nextHealth({ status: 'down', consecutive_failures: 3 }, ok(1500), 1000)).toEqual({
      status: 'degraded',
      consecutive_failures: 0,
      transition: 'recovered',
    });
  });

  it('calls a 2xx answer slower than the threshold degraded, without counting it as a failure', () => {
    expect(nextHealth(undefined, ok(1001), 1000)).toEqual({ status: 'degraded', consecutive_failures: 0, transition: null });
    expect(nextHealth(undefined, ok(1000), 1000).status).toBe('healthy');
  });
});

describe('integrationStatus', () => {
  const base = {
    name: 'user-service',
    health: 'healthy' as const,
    consecutive_failures: 0,
    health_error: null,
    last_sync: '2026-11-29T10:00:00.000Z',
    dead_event: null,
    failed_event: null,
    failed_sync: null,
  };
  const at = (error: string, iso: string) => ({ error, at: iso });

  it('is OK with its last sync when nothing is wrong (and with a never-probed provider)', () => {
    expect(integrationStatus(base)).toEqual({ status: 'OK', lastSync: base.last_sync, lastError: null, health: 'healthy' });
    expect(integrationStatus({ ...base, health: null, consecutive_failures: null }).health).toBe('unknown');
  });

  it('is RETRYING on a failed probe or an event awaiting its retry, with the newest of their errors', () => {
    expect(integrationStatus({ ...base, failed_event: at('TimeoutError', '2026-11-29T10:00:00.000Z') })).toMatchObject({
      status: 'RETRYING',
      lastError: 'TimeoutError',
    });
    expect(
      integrationStatus({
        ...base,
        health: 'degraded',
        consecutive_failures: 1,
        health_error: at('HTTP 503', '2026-11-29T11:00:00.000Z'),
        failed_event: at('TimeoutError', '2026-11-29T10:00:00.000Z'),
      }),
    ).toMatchObject({ status: 'RETRYING', lastError: 'HTTP 503' });
  });

  it('is FAILED when down, with a recent dead event or a failed latest sync, naming that error', () => {
    expect(
      integrationStatus({ ...base, health: 'down', consecutive_failures: 3, health_error: at('HTTP 503', '2026-11-29T10:00:00.000Z') }),
    ).toMatchObject({
      status: 'FAILED',
      lastError: 'HTTP 503',
    });
    expect(
      integrationStatus({
        ...base,
        dead_event: at('handler threw', '2026-11-29T10:00:00.000Z'),
        failed_event: at('later', '2026-11-29T12:00:00.000Z'),
      }),
    ).toMatchObject({ status: 'FAILED', lastError: 'handler threw' });
    expect(integrationStatus({ ...base, failed_sync: at('Page 1: HTTP 503', '2026-11-29T10:00:00.000Z') })).toMatchObject({
      status: 'FAILED',
      lastError: 'Page 1: HTTP 503',
    });
  });
});

describe('joinUrl', () => {
  it('joins with exactly one slash', () => {
    expect(joinUrl('http://x/api/mock/', '/health')).toBe('http://x/api/mock/health');
    expect(joinUrl('http://x/api/mock', 'health')).toBe('http://x/api/mock/health');
  });
});
