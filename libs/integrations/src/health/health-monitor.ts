import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AcrossTenants, Outbox } from '@atrium/platform';
import { IntegrationsConfig } from '../integrations.config.js';
import { OutboundError, outboundGet } from '../outbound/outbound-http.js';
import { INTEGRATION_DOWN, INTEGRATION_RECOVERED, type IntegrationHealthTransition } from './health-events.js';

/** Failed probes in a row that mark a provider `down`. */
export const DOWN_AFTER_FAILURES = 3;
const PROBES_AT_ONCE = 10;
const MAX_HEALTH_BODY = 64 * 1024;
const MAX_ERROR_LENGTH = 500;

export type HealthStatus = 'healthy' | 'degraded' | 'down';

/** One probe's outcome: `ok` is a 2xx answer within the timeout. */
export interface ProbeResult {
  ok: boolean;
  ms: number | null;
  error: string | null;
}

interface ProbedProvider {
  id: string;
  organization_id: string;
  name: string;
  base_url: string;
  health_path: string;
}

/** Joins a base URL and a path with exactly one slash between them. */
export const joinUrl = (base: string, path: string): string => `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;

/**
 * The next health state after a probe. A 2xx answer is a success: `healthy`, or `degraded` when slower than
 * `slowMs`. Anything else (no answer in time, unreachable, refused by the outbound policy, a non-2xx answer) is a
 * failed probe: `degraded` for the first two in a row, `down` from the third.
 */
export function nextHealth(
  prev: { status: HealthStatus; consecutive_failures: number } | undefined,
  probe: ProbeResult,
  slowMs: number,
): { status: HealthStatus; consecutive_failures: number; transition: 'down' | 'recovered' | null } {
  if (probe.ok) {
    const status: HealthStatus = probe.ms !== null && probe.ms > slowMs ? 'degraded' : 'healthy';
    return { status, consecutive_failures: 0, transition: prev?.status === 'down' ? 'recovered' : null };
  }
  const failures = (prev?.consecutive_failures ?? 0) + 1;
  const status: HealthStatus = failures >= DOWN_AFTER_FAILURES ? 'down' : 'degraded';
  return { status, consecutive_failures: failures, transition: status === 'down' && prev?.status !== 'down' ? 'down' : null };
}

/**
 * The scheduled health probe: calls every live provider's `base_url + health_path` (all organizations), records the
 * outcome per provider, and publishes `integration.down` / `integration.recovered` through the outbox in the
 * transaction that records the transition, so each is published once.
 */
@Injectable()
export class HealthMonitor {
  private readonly logger = new Logger('IntegrationHealth');

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly config: IntegrationsConfig,
  ) {}

  /** Probes every provider with a health URL; answers how many were probed and the transitions published. */
  @AcrossTenants()
  async scan(): Promise<{ probed: number; down: number; recovered: number }> {
    // A provider probed within the last half interval is skipped: scans that overlap (a slow scan, several workers)
    // must not count one outage twice towards `down`.
    const providers = await this.dataSource.query<ProbedProvider[]>(
      `SELECT p.id, p.organization_id, p.name, p.base_url, p.health_path FROM webhook_providers p
        WHERE p.deleted_at IS NULL AND p.base_url IS NOT NULL AND p.health_path IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM integration_health h
                           WHERE h.provider_id = p.id AND h.last_check > now() - $1 * interval '1 millisecond')`,
      [Math.round(this.config.health.intervalMs / 2)],
    );
    const counts = { probed: 0, down: 0, recovered: 0 };
    for (let i = 0; i < providers.length; i += PROBES_AT_ONCE) {
      await Promise.all(
        providers.slice(i, i + PROBES_AT_ONCE).map(async (p) => {
          const transition = await this.record(p, await this.probe(joinUrl(p.base_url, p.health_path)));
          counts.probed++;
          if (transition) counts[transition]++;
        }),
      );
    }
    return counts;
  }

  /** Calls one health URL. */
  async probe(url: string): Promise<ProbeResult> {
    try {
      const answer = await outboundGet(url, {
        policy: this.config.outbound,
        timeoutMs: this.config.health.timeoutMs,
        maxBytes: MAX_HEALTH_BODY,
      });
      const ms = Math.round(answer.ms);
      if (answer.status >= 200 && answer.status < 300) return { ok: true, ms, error: null };
      return { ok: false, ms, error: `HTTP ${answer.status}` };
    } catch (err) {
      const message = err instanceof OutboundError ? err.message : err instanceof Error ? err.message : String(err);
      return { ok: false, ms: null, error: message.slice(0, MAX_ERROR_LENGTH) };
    }
  }

  private record(p: ProbedProvider, probe: ProbeResult): Promise<'down' | 'recovered' | null> {
    return this.dataSource.transaction(async (em) => {
      const [prev] = await em.query<Array<{ status: HealthStatus; consecutive_failures: number }>>(
        `SELECT status, consecutive_failures FROM integration_health WHERE provider_id = $1 FOR UPDATE`,
        [p.id],
      );
      const next = nextHealth(prev, probe, this.config.health.slowMs);
      await em.query(
        `INSERT INTO integration_health AS h (provider_id, organization_id, status, response_time_ms, error_message, consecutive_failures,
                                               last_check, last_success_at, status_changed_at)
         VALUES ($1, $2, $3, $4, $5, $6, now(), CASE WHEN $7 THEN now() END, now())
         ON CONFLICT (provider_id) DO UPDATE SET
           status = EXCLUDED.status, response_time_ms = EXCLUDED.response_time_ms, error_message = EXCLUDED.error_message,
           consecutive_failures = EXCLUDED.consecutive_failures, last_check = EXCLUDED.last_check,
           last_success_at = coalesce(EXCLUDED.last_success_at, h.last_success_at),
           status_changed_at = CASE WHEN h.status = EXCLUDED.status THEN h.status_changed_at ELSE EXCLUDED.status_changed_at END`,
        [p.id, p.organization_id, next.status, probe.ms, probe.error, next.consecutive_failures, probe.ok],
      );
      if (next.transition) this.publish(em, p, next, probe);
      return next.transition;
    });
  }

  private publish(em: EntityManager, p: ProbedProvider, next: ReturnType<typeof nextHealth>, probe: ProbeResult): void {
    const payload: IntegrationHealthTransition = {
      provider_id: p.id,
      provider_name: p.name,
      status: next.status,
      consecutive_failures: next.consecutive_failures,
      error: probe.error,
      response_time_ms: probe.ms,
    };
    this.outbox.add(em, {
      name: next.transition === 'down' ? INTEGRATION_DOWN : INTEGRATION_RECOVERED,
      organizationId: p.organization_id,
      payload,
    });
    this.logger.log(
      { provider_id: p.id, organization_id: p.organization_id, transition: next.transition, error: probe.error },
      'Integration health changed',
    );
  }
}
