import 'reflect-metadata';
import { Transform } from 'class-transformer';
import { IsBoolean } from 'class-validator';
import { type AppConfig, ConfigError, readEnv, toBool } from '@atrium/platform';

/** The environment variables the audit trail reads, validated when the module boots. */
export class AuditEnv {
  /**
   * Skips every audit write, for the bench's baseline server only (the `audit-write` row measures what auditing costs
   * against it). Refused in production: the trail is never optional there.
   */
  @Transform(toBool)
  @IsBoolean()
  AUDIT_WRITES_DISABLED_FOR_BENCH = false;
}

/** The audit trail's resolved settings. */
export class AuditConfig {
  constructor(
    /** True only outside production, when the bench's baseline asked for it; the app warns loudly at boot. */
    readonly writesDisabled: boolean,
  ) {}
}

/** Validates the audit environment; throws ConfigError naming every bad variable (the switch in production is one). */
export function loadAuditConfig(app: AppConfig, source: Readonly<Record<string, string | undefined>> = app.source): AuditConfig {
  const { env, problems } = readEnv(AuditEnv, source);
  if (env.AUDIT_WRITES_DISABLED_FOR_BENCH && app.isProduction) {
    problems.push('AUDIT_WRITES_DISABLED_FOR_BENCH: not allowed in production (the audit trail cannot be turned off)');
  }
  if (problems.length) throw new ConfigError(problems);
  return new AuditConfig(env.AUDIT_WRITES_DISABLED_FOR_BENCH);
}
