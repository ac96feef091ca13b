import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { type AppConfig, ConfigError, readEnv } from '@atrium/platform';

/** The environment variables the audit seal chain reads, validated when the module boots. */
export class AuditIntegrityEnv {
  /** How often the sealer seals new audit entries (seconds); 0 turns the schedule off (specs run the sealer themselves). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(3600)
  AUDIT_SEAL_INTERVAL_SECONDS = 5;
}

/** The seal chain's resolved settings. */
export class AuditIntegrityConfig {
  constructor(readonly sealIntervalSeconds: number) {}
}

/** Validates the audit seal chain's environment; throws ConfigError naming every bad variable. */
export function loadAuditIntegrityConfig(
  app: AppConfig,
  source: Readonly<Record<string, string | undefined>> = app.source,
): AuditIntegrityConfig {
  const { env, problems } = readEnv(AuditIntegrityEnv, source);
  if (problems.length) throw new ConfigError(problems);
  return new AuditIntegrityConfig(env.AUDIT_SEAL_INTERVAL_SECONDS);
}
