import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AppConfig } from './app-config.js';
import { ConfigError } from './config.error.js';
import { EnvSchema } from './config.schema.js';
import { parseTrustProxy } from './trust-proxy.js';

type Env = Record<string, string | undefined>;

interface LocalSecrets {
  jwt_secret: string;
  encryption_key: string;
  [name: string]: string;
}

/** Outside production, secrets not given are generated once and kept under the data directory. */
function localSecrets(dataDir: string): LocalSecrets {
  const file = join(dataDir, 'secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as LocalSecrets;
  mkdirSync(dataDir, { recursive: true });
  const secrets: LocalSecrets = {
    jwt_secret: randomBytes(48).toString('base64url'),
    encryption_key: randomBytes(32).toString('hex'),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

/**
 * A development secret a library needs when none is configured (e.g. a webhook signing secret), generated once and
 * kept beside the JWT secret in `<DATA_DIR>/secrets.json`. Callers refuse to use it in production.
 */
export function localSecret(dataDir: string, name: string): string {
  const secrets = localSecrets(dataDir);
  if (!secrets[name]) {
    secrets[name] = randomBytes(32).toString('base64url');
    writeFileSync(join(dataDir, 'secrets.json'), JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return secrets[name];
}

function decodeKey(value: string): Buffer {
  return /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
}

/** `value` is exactly what a browser sends as `Origin` (scheme, host, port if not the default; no path). */
const isOrigin = (value: string): boolean => URL.canParse(value) && new URL(value).origin === value;

/**
 * The CORS allowlist. `*` (the default outside production) means any origin without credentials; production
 * needs the SPA origins listed, since a forgotten setting would otherwise open every account to any site.
 */
function parseCorsOrigins(value: string | undefined, production: boolean, problems: string[]): string[] | '*' {
  const given = value?.trim();
  if (!given || given === '*') {
    if (production) {
      problems.push(
        `CORS_ORIGINS: ${given ? '`*` is not allowed' : 'required'} in production; list the SPA origins, e.g. https://app.example.com`,
      );
    }
    return '*';
  }
  const origins = given
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  const bad = origins.filter((o) => !isOrigin(o));
  if (!origins.length) problems.push('CORS_ORIGINS: lists no origin');
  if (bad.length) {
    problems.push(`CORS_ORIGINS: not an origin (scheme://host[:port] in lower case, no path or trailing slash): ${bad.join(', ')}`);
  }
  return origins;
}

/**
 * Reads `source` into a schema class (class-transformer, defaults applied) and validates it; `problems` names every
 * bad variable. Libraries with settings of their own (billing) read theirs with it from `AppConfig.source`.
 */
export function readEnv<T extends object>(schema: new () => T, source: Readonly<Env>): { env: T; problems: string[] } {
  const env = plainToInstance(schema, Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined)), {
    exposeDefaultValues: true,
  });
  const problems = validateSync(env, { forbidUnknownValues: false }).flatMap((e) =>
    Object.values(e.constraints ?? {}).map((m) => `${e.property}: ${m}`),
  );
  return { env, problems };
}

/** Validates the environment and returns the resolved config; throws ConfigError naming every bad variable. */
export function loadConfig(source: Env = process.env): AppConfig {
  const { env, problems } = readEnv(EnvSchema, source);

  if (env.NODE_ENV === 'production') {
    if (!env.JWT_SECRET) problems.push('JWT_SECRET: required in production (at least 32 characters)');
    if (!env.ENCRYPTION_KEY) problems.push('ENCRYPTION_KEY: required in production (32 bytes, hex or base64)');
    if (!env.SMTP_URL && env.MAIL_FILE_TRANSPORT !== true) {
      problems.push('SMTP_URL: required in production (mail would go to files under DATA_DIR; set MAIL_FILE_TRANSPORT=true to allow that)');
    }
  }
  const corsOrigins = parseCorsOrigins(env.CORS_ORIGINS, env.NODE_ENV === 'production', problems);
  if (problems.length) throw new ConfigError(problems);

  const dataDir = resolve(env.DATA_DIR);
  const needLocal = !env.JWT_SECRET || !env.ENCRYPTION_KEY;
  const local = needLocal ? localSecrets(dataDir) : undefined;
  const jwtSecret = env.JWT_SECRET ?? local!.jwt_secret;
  const encryptionKey = decodeKey(env.ENCRYPTION_KEY ?? local!.encryption_key);

  return new AppConfig(
    env.NODE_ENV,
    {
      port: env.PORT,
      host: env.HOST,
      publicUrl: env.PUBLIC_URL.replace(/\/+$/, ''),
      corsOrigins,
      trustProxy: parseTrustProxy(env.TRUST_PROXY),
      bodyLimit: env.BODY_LIMIT,
      socketMaxPayloadBytes: env.SOCKET_MAX_PAYLOAD_BYTES,
    },
    dataDir,
    {
      url: env.DATABASE_URL,
      embeddedPort: env.EMBEDDED_PG_PORT,
      poolSize: env.DATABASE_POOL_SIZE,
      migrationsRun: env.MIGRATIONS_RUN,
    },
    env.REDIS_URL,
    { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM },
    {
      jwtKey: AppConfig.jwtKeyFrom(jwtSecret),
      accessTtlSeconds: env.JWT_ACCESS_TTL_SECONDS,
      refreshTtlSeconds: env.REFRESH_TTL_SECONDS,
    },
    encryptionKey,
    env.LOG_LEVEL,
    { runWorkers: env.RUN_WORKERS, prefix: env.QUEUE_PREFIX, databasePoolSize: env.QUEUE_DATABASE_POOL_SIZE },
    {
      authPerMinute: env.RATE_LIMIT_AUTH_PER_MINUTE,
      authFailures: env.RATE_LIMIT_AUTH_FAILURES,
      authAccountFailures: env.RATE_LIMIT_AUTH_ACCOUNT_FAILURES ?? 10 * env.RATE_LIMIT_AUTH_FAILURES,
      authFailureWindowSeconds: env.RATE_LIMIT_AUTH_FAILURE_WINDOW_SECONDS,
      registrationPerHour: env.RATE_LIMIT_REGISTRATION_PER_HOUR,
      resendVerificationPerHour: env.RATE_LIMIT_RESEND_VERIFICATION_PER_HOUR,
      defaultPerMinute: env.RATE_LIMIT_DEFAULT_PER_MINUTE,
      inboundPerMinute: env.RATE_LIMIT_INBOUND_PER_MINUTE,
    },
    {
      relay: env.OUTBOX_RELAY,
      pollIntervalMs: env.OUTBOX_POLL_INTERVAL_MS,
      maxAttempts: env.OUTBOX_MAX_ATTEMPTS,
      handlerTimeoutMs: env.OUTBOX_HANDLER_TIMEOUT_MS,
      retentionDays: env.OUTBOX_RETENTION_DAYS,
    },
    { ...source },
  );
}
