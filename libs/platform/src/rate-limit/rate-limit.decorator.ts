import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiHeader, ApiResponse, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { ErrorBody } from '../http/error-body.js';

export const RATE_LIMIT_KEY = 'atrium:rate-limit';

/**
 * `auth`: sensitive sign-in routes, counted per client IP and per account (the `email` in the body),
 * `RATE_LIMIT_AUTH_PER_MINUTE` each. `default`: every other route, per client IP.
 */
export type RateLimitPolicy = 'auth' | 'default';

const headers = {
  'X-RateLimit-Limit': { description: 'Requests allowed in the current window', schema: { type: 'integer' } },
  'X-RateLimit-Remaining': { description: 'Requests left in the current window', schema: { type: 'integer' } },
  'X-RateLimit-Reset': { description: 'Seconds until the window resets', schema: { type: 'integer' } },
} as const;

/** Puts a route under a rate-limit policy (routes without it fall under `default`). */
export const RateLimit = (policy: RateLimitPolicy) =>
  applyDecorators(
    SetMetadata(RATE_LIMIT_KEY, policy),
    ApiTooManyRequestsResponse({
      type: ErrorBody,
      description: 'Too many requests (code `rate_limited`); `Retry-After` says how many seconds to wait',
      headers: { ...headers, 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
    }),
    ApiResponse({ status: 'default', description: 'Every response carries the X-RateLimit-* headers', headers }),
    ApiHeader({ name: 'X-Forwarded-For', required: false, description: 'Honoured only behind a trusted proxy (TRUST_PROXY)' }),
  );
