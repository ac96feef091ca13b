import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { type AppConfig, ConfigError, readEnv } from '@atrium/platform';

/** The environment variables messaging reads, validated when the messaging module boots. */
export class MessagingEnv {
  /** How long after sending its author may edit a message. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(7 * 24 * 3600)
  MESSAGE_EDIT_WINDOW_SECONDS = 900;

  /** Messages one socket may send (`message:send`) per 10 seconds; past it the ack answers `rate_limited`. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  MESSAGE_SOCKET_SENDS_PER_10S = 50;
}

/** Messaging's resolved settings. */
export class MessagingConfig {
  constructor(
    readonly editWindowSeconds: number,
    readonly socketSendsPer10s: number,
  ) {}
}

/** Validates messaging's environment; throws ConfigError naming every bad variable. */
export function loadMessagingConfig(app: AppConfig, source: Readonly<Record<string, string | undefined>> = app.source): MessagingConfig {
  const { env, problems } = readEnv(MessagingEnv, source);
  if (problems.length) throw new ConfigError(problems);
  return new MessagingConfig(env.MESSAGE_EDIT_WINDOW_SECONDS, env.MESSAGE_SOCKET_SENDS_PER_10S);
}
