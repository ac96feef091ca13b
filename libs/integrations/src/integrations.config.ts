import 'reflect-metadata';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsNumber, Max, Min } from 'class-validator';
import { type AppConfig, ConfigError, readEnv, toBool } from '@atrium/platform';

/** The environment variables integrations read, validated when the module boots. */
export class IntegrationsEnv {
  /** After a secret rotation the previous secret still verifies for this many hours (fractions allowed), then dies. */
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(24 * 30)
  WEBHOOK_SECRET_GRACE_HOURS = 24;

  /** Authentic webhooks accepted per provider per minute; past it the sender is answered 429 with Retry-After. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  WEBHOOK_RATE_LIMIT_PER_MINUTE = 6000;

  /** Seconds between two health probes of every provider with a health URL; 0 turns the probe off. */
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(86_400)
  INTEGRATION_HEALTH_INTERVAL_SECONDS = 60;

  /** A health probe without an answer after this many milliseconds fails (timeout). */
  @Type(() => Number)
  @IsInt()
  @Min(50)
  @Max(60_000)
  INTEGRATION_HEALTH_TIMEOUT_MS = 5000;

  /** A 2xx health answer slower than this many milliseconds makes the provider `degraded`. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(60_000)
  INTEGRATION_HEALTH_SLOW_MS = 1000;

  /** Outbound calls (health, data sync) may reach loopback addresses (127.0.0.0/8, ::1): local demos and tests only. */
  @Transform(toBool)
  @IsBoolean()
  INTEGRATION_OUTBOUND_ALLOW_LOOPBACK = false;

  /** Outbound calls may reach private networks (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7): partners inside your network. */
  @Transform(toBool)
  @IsBoolean()
  INTEGRATION_OUTBOUND_ALLOW_PRIVATE = false;

  /** Records asked for per page of a data sync. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  INTEGRATION_SYNC_PAGE_SIZE = 100;

  /** A running sync whose worker has not committed a page for this many seconds is taken over (its worker died). */
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(1)
  @Max(86_400)
  INTEGRATION_SYNC_LEASE_SECONDS = 120;
}

/** Where outbound calls to partners may go (see the README's "Outbound calls"). */
export interface OutboundPolicy {
  allowLoopback: boolean;
  allowPrivate: boolean;
}

/** Integrations' resolved settings. */
export class IntegrationsConfig {
  constructor(
    readonly secretGraceMs: number,
    readonly perProviderPerMinute: number,
    readonly health: { intervalMs: number; timeoutMs: number; slowMs: number } = { intervalMs: 60_000, timeoutMs: 5000, slowMs: 1000 },
    readonly outbound: OutboundPolicy = { allowLoopback: false, allowPrivate: false },
    readonly sync: { pageSize: number; leaseMs: number } = { pageSize: 100, leaseMs: 120_000 },
  ) {}
}

/** Validates the integrations environment; throws ConfigError naming every bad variable. */
export function loadIntegrationsConfig(
  app: AppConfig,
  source: Readonly<Record<string, string | undefined>> = app.source,
): IntegrationsConfig {
  const { env, problems } = readEnv(IntegrationsEnv, source);
  if (problems.length) throw new ConfigError(problems);
  return new IntegrationsConfig(
    Math.round(env.WEBHOOK_SECRET_GRACE_HOURS * 3600 * 1000),
    env.WEBHOOK_RATE_LIMIT_PER_MINUTE,
    {
      intervalMs: Math.round(env.INTEGRATION_HEALTH_INTERVAL_SECONDS * 1000),
      timeoutMs: env.INTEGRATION_HEALTH_TIMEOUT_MS,
      slowMs: env.INTEGRATION_HEALTH_SLOW_MS,
    },
    { allowLoopback: env.INTEGRATION_OUTBOUND_ALLOW_LOOPBACK, allowPrivate: env.INTEGRATION_OUTBOUND_ALLOW_PRIVATE },
    { pageSize: env.INTEGRATION_SYNC_PAGE_SIZE, leaseMs: Math.round(env.INTEGRATION_SYNC_LEASE_SECONDS * 1000) },
  );
}
