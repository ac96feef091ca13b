/** The kinds of failure a domain can report; the error filter maps each to its HTTP status. */
export type ErrorKind =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'gone'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'range_not_satisfiable'
  | 'unprocessable'
  | 'too_many_requests'
  | 'unavailable';

export const STATUS_BY_KIND: Record<ErrorKind, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  range_not_satisfiable: 416,
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

/**
 * The generic 404 of a resource: `<resource>_not_found`, the label in snake case (`Add-on` → `add_on_not_found`); other
 * codes live in each module's <lib>.errors.ts.
 */
export const notFound = (resource: string) =>
  new DomainError('not_found', `${resource.toLowerCase().replace(/[^a-z0-9]+/g, '_')}_not_found`, `${resource} not found`);
