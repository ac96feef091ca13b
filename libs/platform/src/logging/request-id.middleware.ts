import { randomUUID } from 'node:crypto';
import type { NextFunction, Response } from 'express';
import type { Logger } from 'pino';
import type { ContextualRequest } from '../context/ctx.decorator.js';
import { logContext } from './log-context.js';

const VALID_ID = /^[A-Za-z0-9._:-]{8,128}$/;
const SECRET_QUERY = /([?&](?:token|code|key|secret|password)=)[^&]*/gi;

/** Gives each request an id (kept from `x-request-id` when sane), echoes it, and logs the outcome. */
export function requestIdMiddleware(logger: Logger) {
  return (req: ContextualRequest, res: Response, next: NextFunction) => {
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && VALID_ID.test(incoming) ? incoming : randomUUID();
    req.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const failed = res.statusCode >= 500;
      // Below the configured level nothing is written, so nothing is built (the bench runs at warn).
      if (!logger.isLevelEnabled(failed ? 'error' : 'info')) return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const line = {
        requestId,
        method: req.method,
        url: req.originalUrl.replace(SECRET_QUERY, '$1[redacted]'),
        status: res.statusCode,
        ms: Math.round(ms * 10) / 10,
      };
      if (failed) logger.error(line, 'request failed');
      else logger.info(line, 'request');
    });
    logContext.run({ requestId }, next);
  };
}
