import 'reflect-metadata';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsNumber, IsOptional, Matches, Max, Min } from 'class-validator';
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

  /**
   * The waits before each retry of a failed event, in seconds, comma-separated (fractions allowed): an event gets one
   * attempt more than there are waits, then it is `dead`. Each wait is spread by WEBHOOK_RETRY_JITTER.
   */
  @Matches(/^\s*\d+(\.\d+)?(\s*,\s*\d+(\.\d+)?)*\s*$/, {
    message: 'WEBHOOK_RETRY_DELAYS_SECONDS must be comma-separated seconds, e.g. 60,300,1800',
  })
  WEBHOOK_RETRY_DELAYS_SECONDS = '60,300,1800,7200,21600';

  /** Each retry wait is drawn from [w × (1 − j), w × (1 + j)], so events that failed together do not retry together. */
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  WEBHOOK_RETRY_JITTER = 0.2;

  /** Settled events (completed, ignored, dead) and their attempts are deleted this many days after receipt (the dedupe window). */
  @Type(() => Number)
  @IsInt()
  @Min(7)
  @Max(3650)
  WEBHOOK_EVENT_RETENTION_DAYS = 7;

  /**
   * BullMQ on PostgreSQL: the connections of the `integrations` queue and of its worker (each), unset = the other queues'
   * QUEUE_DATABASE_POOL_SIZE. Its jobs are retries, retry-now, replays and retention (first attempts are taken from the
   * event rows); the worker runs 50 at once, and with 4 connections the queue's own statements wait.
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  WEBHOOK_QUEUE_POOL_SIZE?: number;

  /**
   * How long an instance keeps a provider it verified a webhook for, instead of reading it for every webhook; 0 reads
   * it every time. Changes made through this instance apply at once; through another, within this many seconds.
   */
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(60)
  WEBHOOK_PROVIDER_CACHE_SECONDS = 5;

  /**
   * Received events a worker process handles at once, each in its own transaction on a connection of the
   * DATABASE_POOL_SIZE pool, of which they leave at least 4 (and one) to the process's requests and other jobs; 0
   * leaves first attempts to other worker processes.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(200)
  WEBHOOK_PROCESSING_CONCURRENCY = 16;

  /**
   * How often an idle worker process looks for received events. A webhook received by the same process wakes it at
   * once; one received by another process (an api node with RUN_WORKERS=false) waits at most this long.
   */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(60_000)
  WEBHOOK_POLL_INTERVAL_MS = 250;

  /**
   * A worker process takes received events in batches; one it took and has not settled after this many seconds (its
   * process died) is taken by any worker of the deployment. A run still going then keeps the event: the effect stays once.
   */
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(1)
  @Max(3600)
  WEBHOOK_PROCESSING_LEASE_SECONDS = 30;
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
    /** Waits before retries 1…n, in ms; an event gets `retryDelaysMs.length + 1` attempts. */
    readonly retryDelaysMs: number[] = [60, 300, 1800, 7200, 21600].map((s) => s * 1000),
    readonly retryJitter = 0.2,
    readonly retentionDays = 7,
    /** Unset: the app's queue pool size. */
    readonly queuePoolSize?: number,
    /** How long the receiving path keeps a verified provider (0: never). */
    readonly providerCacheMs = 5000,
    /** First attempts: events run at once per worker process (0: none here), the idle poll's interval, the lease. */
    readonly processing: { concurrency: number; pollMs: number; leaseMs: number } = { concurrency: 16, pollMs: 250, leaseMs: 30_000 },
  ) {}

  /** Attempts an event gets before it is `dead`. */
  get maxAttempts(): number {
    return this.retryDelaysMs.length + 1;
  }
}

/** Validates the integrations environment; throws ConfigError naming every bad variable. */
export function loadIntegrationsConfig(
  app: AppConfig,
  source: Readonly<Record<string, string | undefined>> = app.source,
): IntegrationsConfig {
  const { env, problems } = readEnv(IntegrationsEnv, source);
  const delays = env.WEBHOOK_RETRY_DELAYS_SECONDS.split(',').map((s) => Number(s.trim()));
  if (!problems.length && delays.length > 20) problems.push('WEBHOOK_RETRY_DELAYS_SECONDS: at most 20 retries');
  if (!problems.length && delays.some((d) => d > 7 * 24 * 3600)) problems.push('WEBHOOK_RETRY_DELAYS_SECONDS: each wait at most 7 days');
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
    delays.map((s) => Math.round(s * 1000)),
    env.WEBHOOK_RETRY_JITTER,
    env.WEBHOOK_EVENT_RETENTION_DAYS,
    env.WEBHOOK_QUEUE_POOL_SIZE,
    Math.round(env.WEBHOOK_PROVIDER_CACHE_SECONDS * 1000),
    {
      concurrency: Math.min(env.WEBHOOK_PROCESSING_CONCURRENCY, Math.max(1, app.database.poolSize - 4)),
      pollMs: env.WEBHOOK_POLL_INTERVAL_MS,
      leaseMs: Math.round(env.WEBHOOK_PROCESSING_LEASE_SECONDS * 1000),
    },
  );
}
