import { createSecretKey, type KeyObject } from 'node:crypto';

/** The validated, resolved configuration every module reads. Built once by `loadConfig`. */
export class AppConfig {
  constructor(
    readonly env: 'development' | 'production' | 'test',
    readonly http: {
      port: number;
      host: string;
      publicUrl: string;
      /** Origins allowed with credentials, or `*`: any origin without credentials (refused in production). */
      corsOrigins: string[] | '*';
      trustProxy: false | number | string;
      bodyLimit: string;
      /** The largest socket.io packet accepted (socket.io's maxHttpBufferSize). */
      socketMaxPayloadBytes: number;
    },
    readonly dataDir: string,
    readonly database: {
      url?: string;
      embeddedPort: number;
      poolSize: number;
      migrationsRun: boolean;
    },
    readonly redisUrl: string | undefined,
    readonly mail: { smtpUrl?: string; from: string },
    readonly auth: {
      jwtKey: KeyObject;
      accessTtlSeconds: number;
      refreshTtlSeconds: number;
    },
    readonly encryptionKey: Buffer,
    readonly logLevel: string,
    readonly queue: { runWorkers: boolean; prefix: string; databasePoolSize: number },
    readonly rateLimit: RateLimitSettings,
    readonly outbox: { relay: boolean; pollIntervalMs: number; maxAttempts: number; retentionDays: number; handlerTimeoutMs: number },
    /** The raw environment this config was loaded from: libraries with settings of their own validate theirs from it. */
    readonly source: Readonly<Record<string, string | undefined>> = {},
  ) {}

  /** A copy pointing at a resolved database (the embedded one when no DATABASE_URL was given). */
  withDatabaseUrl(url: string): AppConfig {
    return Object.assign(Object.create(AppConfig.prototype) as AppConfig, this, { database: { ...this.database, url } });
  }

  /** A copy with some settings replaced; for tests and tools. */
  with(patch: Partial<Pick<AppConfig, 'queue' | 'http' | 'mail' | 'redisUrl' | 'rateLimit' | 'dataDir' | 'outbox'>>): AppConfig {
    return Object.assign(Object.create(AppConfig.prototype) as AppConfig, this, patch);
  }

  get isProduction(): boolean {
    return this.env === 'production';
  }

  static jwtKeyFrom(secret: string): KeyObject {
    return createSecretKey(Buffer.from(secret, 'utf8'));
  }
}

/** The rate limiter's budgets (see the README's Account security section). */
export interface RateLimitSettings {
  /** Sign-in requests per minute per client IP, shared by the sign-in routes. */
  authPerMinute: number;
  /** Failed sign-ins per (account, client IP) within the failure window. */
  authFailures: number;
  /** Failed sign-ins per account from every IP within the failure window. */
  authAccountFailures: number;
  authFailureWindowSeconds: number;
  /** Registrations per hour per client IP. */
  registrationPerHour: number;
  /** Verification re-sends per hour, per client IP and per account. */
  resendVerificationPerHour: number;
  /** Requests per minute per client IP on every other route. */
  defaultPerMinute: number;
  /** Callbacks per minute per client IP on the routes gateways and partners call. */
  inboundPerMinute: number;
}
