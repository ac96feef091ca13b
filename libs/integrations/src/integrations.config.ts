import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsInt, IsNumber, Max, Min } from 'class-validator';
import { type AppConfig, ConfigError, readEnv } from '@atrium/platform';

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
}

/** Integrations' resolved settings. */
export class IntegrationsConfig {
  constructor(
    readonly secretGraceMs: number,
    readonly perProviderPerMinute: number,
  ) {}
}

/** Validates the integrations environment; throws ConfigError naming every bad variable. */
export function loadIntegrationsConfig(
  app: AppConfig,
  source: Readonly<Record<string, string | undefined>> = app.source,
): IntegrationsConfig {
  const { env, problems } = readEnv(IntegrationsEnv, source);
  if (problems.length) throw new ConfigError(problems);
  return new IntegrationsConfig(Math.round(env.WEBHOOK_SECRET_GRACE_HOURS * 3600 * 1000), env.WEBHOOK_RATE_LIMIT_PER_MINUTE);
}
