import 'reflect-metadata';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength } from 'class-validator';
import { IsTrustProxy } from './trust-proxy.js';

/** `@Transform` for a boolean environment variable: 1/true/yes/on and 0/false/no/off; empty is unset. */
export const toBool = ({ value }: { value: unknown }): unknown => {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') return value;
  const v = value.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  return value;
};

/** `@Transform` for an optional environment variable: an empty value is unset. */
export const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/** Every environment variable Atrium reads, with its default. Validated once at boot. */
export class EnvSchema {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  /** Public base URL used to build links in mail (never the request's Host header). */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  PUBLIC_URL = 'http://localhost:3000';

  @IsString()
  DATA_DIR = '.data';

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  EMBEDDED_PG_PORT = 54329;

  @Type(() => Number)
  @IsInt()
  @Min(2)
  @Max(200)
  DATABASE_POOL_SIZE = 20;

  @Transform(toBool)
  @IsBoolean()
  MIGRATIONS_RUN = true;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^smtps?:\/\/.+/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  @IsString()
  MAIL_FROM = 'Atrium <no-reply@atrium.local>';

  /** Allows the file mail transport (no SMTP_URL) in production; it then logs no links. */
  @Transform(toBool)
  @IsBoolean()
  MAIL_FILE_TRANSPORT = false;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  @Type(() => Number)
  @IsInt()
  @Min(30)
  @Max(86_400)
  JWT_ACCESS_TTL_SECONDS = 900;

  @Type(() => Number)
  @IsInt()
  @Min(3600)
  REFRESH_TTL_SECONDS = 30 * 86_400;

  /** 32-byte key (64 hex chars or base64) encrypting secrets at rest, e.g. TOTP secrets. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, {
    message: 'ENCRYPTION_KEY must be 32 bytes as 64 hex characters or base64',
  })
  ENCRYPTION_KEY?: string;

  /**
   * Comma-separated origins allowed by CORS and socket.io, with credentials. Outside production it defaults to `*`:
   * any origin, without credentials. Production requires an explicit list (see loadConfig).
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  CORS_ORIGINS?: string;

  /** Express `trust proxy`: false, a hop count, or proxy addresses/CIDR subnets (`loopback`…); never `true`, which trusts every hop. */
  @IsTrustProxy()
  TRUST_PROXY = 'false';

  @Matches(/^\d+(b|kb|mb)$/i, { message: 'BODY_LIMIT must look like 100kb or 1mb' })
  BODY_LIMIT = '1mb';

  /** The largest socket.io packet a client may send; a bigger one closes its connection (socket.io's maxHttpBufferSize). */
  @Type(() => Number)
  @IsInt()
  @Min(1024)
  @Max(100 * 1024 * 1024)
  SOCKET_MAX_PAYLOAD_BYTES = 65_536;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Run the queue workers inside the api process (the default, so one command runs everything). */
  @Transform(toBool)
  @IsBoolean()
  RUN_WORKERS = true;

  /** Namespace of this deployment's queues: the Redis key prefix, or the PostgreSQL schema `bullmq_<prefix>`. */
  @Matches(/^[a-z][a-z0-9_]{0,30}$/, { message: 'QUEUE_PREFIX must be lowercase letters, digits or _ (max 31), starting with a letter' })
  QUEUE_PREFIX = 'atrium';

  /**
   * With BullMQ on PostgreSQL: connections per queue client (each queue and each worker has its own pool). At least 2:
   * the backend's schema migration holds one connection in a transaction while it takes another.
   */
  @Type(() => Number)
  @IsInt()
  @Min(2)
  @Max(50)
  QUEUE_DATABASE_POOL_SIZE = 4;

  /** Run an outbox relay in this process (api and worker alike; any number of relays share the work safely). */
  @Transform(toBool)
  @IsBoolean()
  OUTBOX_RELAY = true;

  /** How often a relay polls for events when no NOTIFY woke it (missed notifications, retries coming due). */
  @Type(() => Number)
  @IsInt()
  @Min(50)
  @Max(60_000)
  OUTBOX_POLL_INTERVAL_MS = 1000;

  /** Failed attempts after which a subscriber's delivery of an event is parked. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  OUTBOX_MAX_ATTEMPTS = 8;

  /** How long one subscriber may take for one event before the attempt counts as failed (and is retried). */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600_000)
  OUTBOX_HANDLER_TIMEOUT_MS = 30_000;

  /** Days delivered events (and parked deliveries) are kept before pruning. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  OUTBOX_RETENTION_DAYS = 7;

  /** Sign-in requests per minute per client IP, one budget across the sign-in routes (and per account on those that mail a link). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_AUTH_PER_MINUTE = 10;

  /** Failed sign-ins per account from one client IP within the failure window; signing in clears them. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_AUTH_FAILURES = 5;

  /** Failed sign-ins per account from every IP within the failure window; unset: 10 × RATE_LIMIT_AUTH_FAILURES. */
  @Transform(({ value }: { value: unknown }) => (value === '' || value === undefined ? undefined : Number(value)))
  @IsOptional()
  @IsInt()
  @Min(1)
  RATE_LIMIT_AUTH_ACCOUNT_FAILURES?: number;

  /** How long failed sign-ins are remembered. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_AUTH_FAILURE_WINDOW_SECONDS = 900;

  /** Organization registrations per hour per client IP. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_REGISTRATION_PER_HOUR = 10;

  /** Verification mails re-sent per hour, per client IP and per account. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_RESEND_VERIFICATION_PER_HOUR = 5;

  /** Requests per minute per client on every other route. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_DEFAULT_PER_MINUTE = 1000;

  /**
   * Callbacks per minute per client IP on the routes gateways and partners call (payment and integration webhooks):
   * a budget of their own, so a busy sender is not held to a browser's, and a flood from one address still stops.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_INBOUND_PER_MINUTE = 60000;
}
