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
      trustProxy: boolean | number | string;
      bodyLimit: string;
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
    readonly queue: { runWorkers: boolean; concurrency: number; prefix: string },
    readonly rateLimit: { authPerMinute: number; defaultPerMinute: number },
    readonly stripe: { secretKey?: string; webhookSecret?: string; apiBase?: string },
    readonly outbox: { relay: boolean; pollIntervalMs: number; maxAttempts: number; retentionDays: number },
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
