import type { LoggerService } from '@nestjs/common';
import { pino, type DestinationStream, type Logger } from 'pino';
import { safeError } from './safe-error.js';

/** Paths that must never reach a log line. */
export const REDACTED_PATHS = [
  'password',
  'new_password',
  'current_password',
  'token',
  'refresh_token',
  'access_token',
  'secret',
  'code',
  'mfa_code',
  'key',
  '*.password',
  '*.token',
  '*.secret',
  '*.refresh_token',
  '*.access_token',
  '*.new_password',
  '*.current_password',
  '*.mfa_code',
  '*.key',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
];

/** The app's structured logger: stdout unless a destination is given (tests read their own). */
export function createPino(level: string, destination?: DestinationStream): Logger {
  const options = { level, base: undefined, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}

/** Nest's logger interface over pino, so framework and app logs share one structured stream. */
export class PinoLoggerService implements LoggerService {
  constructor(readonly pino: Logger) {}

  log(message: unknown, ...rest: unknown[]) {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]) {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]) {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]) {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]) {
    this.write('fatal', message, rest);
  }

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, rest: unknown[]) {
    const context = typeof rest.at(-1) === 'string' ? (rest.at(-1) as string) : undefined;
    if (message && typeof message === 'object' && !(message instanceof Error)) {
      const [msg] = rest;
      const { err } = message as { err?: unknown };
      const fields = err instanceof Error ? { ...message, err: safeError(err) } : message;
      this.pino[level]({ context, ...fields }, typeof msg === 'string' && msg !== context ? msg : undefined);
    } else if (message instanceof Error) {
      // Framework code logs raw errors too: only the safe fields reach the line.
      this.pino[level]({ context, err: safeError(message) }, message.message);
    } else {
      this.pino[level]({ context }, String(message));
    }
  }
}
