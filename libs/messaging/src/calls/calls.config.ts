import 'reflect-metadata';
import { Transform, Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { type AppConfig, ConfigError, emptyToUndefined, readEnv } from '@atrium/platform';

/** The environment variables calls read, validated when the messaging module boots. */
export class CallsEnv {
  /** Seconds a call rings before it ends as `missed` when nobody answered. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(600)
  CALL_RING_TIMEOUT_SECONDS = 45;

  /** Seconds a joined participant may be without any socket before they are taken out of the call. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3600)
  CALL_RECONNECT_GRACE_SECONDS = 30;

  /** STUN servers handed to clients, comma-separated `stun:` / `stuns:` URLs; empty for none. */
  @IsString()
  STUN_URLS = 'stun:stun.l.google.com:19302';

  /** TURN servers, comma-separated `turn:` / `turns:` URLs; unset: clients get STUN only. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  TURN_URLS?: string;

  /** The secret shared with the TURN server (coturn `static-auth-secret`); required with TURN_URLS. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'TURN_SECRET must be at least 16 characters' })
  TURN_SECRET?: string;

  /** How long the TURN credentials handed out stay valid. */
  @Type(() => Number)
  @IsInt()
  @Min(60)
  @Max(7 * 24 * 3600)
  TURN_TTL_SECONDS = 3600;
}

/** Calls' resolved settings. */
export class CallsConfig {
  constructor(
    readonly ringTimeoutSeconds: number,
    readonly reconnectGraceSeconds: number,
    readonly stunUrls: string[],
    /** Null when TURN_URLS is not set. The secret is never logged nor handed out. */
    readonly turn: { urls: string[]; secret: string; ttlSeconds: number } | null,
  ) {}
}

const urlList = (raw: string | undefined): string[] =>
  (raw ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);

/** Validates calls' environment; throws ConfigError naming every bad variable (never echoing TURN_SECRET). */
export function loadCallsConfig(app: AppConfig, source: Readonly<Record<string, string | undefined>> = app.source): CallsConfig {
  const { env, problems } = readEnv(CallsEnv, source);
  const stun = urlList(env.STUN_URLS);
  const turn = urlList(env.TURN_URLS);
  const badStun = stun.filter((u) => !/^stuns?:[^\s]+$/.test(u));
  if (badStun.length) problems.push(`STUN_URLS: not stun: or stuns: URLs: ${badStun.join(', ')}`);
  const badTurn = turn.filter((u) => !/^turns?:[^\s]+$/.test(u));
  if (badTurn.length) problems.push(`TURN_URLS: not turn: or turns: URLs: ${badTurn.join(', ')}`);
  if (turn.length && !env.TURN_SECRET) problems.push('TURN_SECRET: required when TURN_URLS is set (the TURN server’s static-auth-secret)');
  if (problems.length) throw new ConfigError(problems);
  return new CallsConfig(
    env.CALL_RING_TIMEOUT_SECONDS,
    env.CALL_RECONNECT_GRACE_SECONDS,
    stun,
    turn.length && env.TURN_SECRET ? { urls: turn, secret: env.TURN_SECRET, ttlSeconds: env.TURN_TTL_SECONDS } : null,
  );
}
