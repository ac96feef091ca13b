import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsInt, IsNumber, Max, Min } from 'class-validator';
import { type AppConfig, ConfigError, readEnv } from '@atrium/platform';

/** The environment variables notifications read, validated when the module boots. */
export class NotificationsEnv {
  /**
   * How long a digest gathers (e.g. missed chat messages, per user and chat) from its first event before it goes out as
   * one notification. Fractions are allowed (0.05 is 3 s) for short windows in tests and demos.
   */
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.01)
  @Max(24 * 60)
  NOTIFICATION_DIGEST_MINUTES = 15;

  /** Read notifications older than this many days are deleted by a daily job. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  NOTIFICATION_RETENTION_DAYS = 90;
}

/** Notifications' resolved settings. */
export class NotificationsConfig {
  constructor(
    readonly digestMinutes: number,
    readonly retentionDays: number,
    /** Where links in mail point (the API's public URL). */
    readonly publicUrl: string,
  ) {}
}

/** Validates the notifications environment; throws ConfigError naming every bad variable. */
export function loadNotificationsConfig(
  app: AppConfig,
  source: Readonly<Record<string, string | undefined>> = app.source,
): NotificationsConfig {
  const { env, problems } = readEnv(NotificationsEnv, source);
  if (problems.length) throw new ConfigError(problems);
  return new NotificationsConfig(env.NOTIFICATION_DIGEST_MINUTES, env.NOTIFICATION_RETENTION_DAYS, app.http.publicUrl);
}
