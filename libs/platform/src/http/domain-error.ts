/** The kinds of failure a domain can report; the error filter maps each to its HTTP status. */
export type ErrorKind =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'unprocessable'
  | 'too_many_requests'
  | 'unavailable';

export const STATUS_BY_KIND: Record<ErrorKind, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  too_many_requests: 429,
  unavailable: 503,
};

/** A failure the caller can act on: a stable `code`, a user-facing message and optional details. */
export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (resource: string) =>
  new DomainError('not_found', `${resource.toLowerCase().replace(/\s+/g, '_')}_not_found`, `${resource} not found`);

export const conflict = (code: string, message: string) => new DomainError('conflict', code, message);

export const badRequest = (code: string, message: string, details?: unknown) => new DomainError('bad_request', code, message, details);

export const forbidden = (code: string, message: string) => new DomainError('forbidden', code, message);

export const unauthorized = (code = 'unauthorized', message = 'Authentication required') => new DomainError('unauthorized', code, message);
