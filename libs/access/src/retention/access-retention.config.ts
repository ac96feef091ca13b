import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { type AppConfig, ConfigError, readEnv } from '@atrium/platform';

/** The environment variables of the access library's retention, validated when the module boots. */
export class AccessRetentionEnv {
  /**
   * Days an ended session (signed out, revoked or expired) is kept, with its refresh tokens, before the daily job
   * deletes it; also the days a used or expired one-time token (verification, reset, magic link) is kept.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  SESSION_RETENTION_DAYS = 30;

  /**
   * Days a device or address the account has not signed in from is remembered: after that, signing in from it again
   * is announced as new. Each account's latest sign-in is always kept, so a dormant account's next one is compared.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  KNOWN_SIGN_IN_RETENTION_DAYS = 365;
}

/** The access library's resolved retention settings. */
export class AccessRetentionConfig {
  constructor(
    readonly sessionDays: number,
    readonly knownSignInDays: number,
  ) {}
}

/** Validates the retention environment; throws ConfigError naming every bad variable. */
export function loadAccessRetentionConfig(
  app: AppConfig,
  source: Readonly<Record<string, string | undefined>> = app.source,
): AccessRetentionConfig {
  const { env, problems } = readEnv(AccessRetentionEnv, source);
  if (problems.length) throw new ConfigError(problems);
  return new AccessRetentionConfig(env.SESSION_RETENTION_DAYS, env.KNOWN_SIGN_IN_RETENTION_DAYS);
}
