import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { Request, Response } from 'express';
import { isDatabaseUnavailable } from '../database/pg-errors.js';
import { safeError } from '../logging/safe-error.js';
import { DomainError, STATUS_BY_KIND } from './domain-error.js';
import type { ErrorBody } from './error-body.js';

const DATABASE_UNAVAILABLE = 'database_unavailable';
/** What a 503 for a lost database asks clients to wait: a restart or failover takes seconds. */
const DATABASE_RETRY_AFTER_SECONDS = 5;

/** Maps domain errors and framework exceptions to the error body; a 500 says nothing about internals. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request>();
    const requestId = String(res.getHeader('x-request-id') ?? '');
    const body = HttpExceptionFilter.body(exception, requestId);
    if (body.code === DATABASE_UNAVAILABLE) {
      // One line per request while the database is away, not a stack trace each.
      this.logger.warn({ requestId, err: (exception as Error).message }, 'Database unavailable');
      res.setHeader('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
    } else if (body.statusCode >= 500) {
      this.logger.error({ err: safeError(exception), requestId }, 'Unhandled error');
    }
    if (exception instanceof DomainError && exception.headers) {
      for (const [k, v] of Object.entries(exception.headers)) res.setHeader(k, v);
    }
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    res.status(body.statusCode).json(body);
  }

  /** The error body for any thrown value; socket handlers answer with the same one. */
  static body(exception: unknown, requestId: string): ErrorBody {
    if (exception instanceof DomainError) {
      const statusCode = STATUS_BY_KIND[exception.kind];
      return {
        statusCode,
        message: exception.message,
        error: STATUS_CODES[statusCode] ?? 'Error',
        code: exception.code,
        ...(exception.details === undefined ? {} : { details: exception.details }),
        requestId,
      };
    }
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const response = exception.getResponse();
      const message =
        typeof response === 'string' ? response : ((response as { message?: string | string[] }).message ?? exception.message);
      return {
        statusCode,
        message,
        error: STATUS_CODES[statusCode] ?? 'Error',
        code: codeForStatus(statusCode),
        requestId,
      };
    }
    if (isDatabaseUnavailable(exception)) {
      return {
        statusCode: 503,
        message: 'The service is briefly unavailable (its database cannot be reached); try again shortly',
        error: STATUS_CODES[503]!,
        code: DATABASE_UNAVAILABLE,
        requestId,
      };
    }
    return { statusCode: 500, message: 'Internal server error', error: STATUS_CODES[500]!, code: 'internal_error', requestId };
  }
}

function codeForStatus(status: number): string {
  return (STATUS_CODES[status] ?? 'error').toLowerCase().replace(/[^a-z]+/g, '_');
}
