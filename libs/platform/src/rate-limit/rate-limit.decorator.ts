import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { ApiHeader, ApiResponse, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { ErrorBody } from '../http/error-body.js';
import { AccountRateLimitInterceptor } from './account-rate-limit.interceptor.js';
import { ACCOUNT_POLICIES, RATE_LIMIT_KEY, type RateLimitPolicy } from './rate-limit.policy.js';

export { RATE_LIMIT_KEY, type RateLimitPolicy } from './rate-limit.policy.js';

const headers = {
  'X-RateLimit-Limit': { description: 'Requests allowed in the current window', schema: { type: 'integer' } },
  'X-RateLimit-Remaining': { description: 'Requests left in the current window', schema: { type: 'integer' } },
  'X-RateLimit-Reset': { description: 'Seconds until the window resets', schema: { type: 'integer' } },
} as const;

/** Puts a route under a rate-limit policy (see `RateLimitPolicy`; routes without it fall under `default`). */
export const RateLimit = (policy: RateLimitPolicy) =>
  applyDecorators(
    SetMetadata(RATE_LIMIT_KEY, policy),
    ...(ACCOUNT_POLICIES.has(policy) ? [UseInterceptors(AccountRateLimitInterceptor)] : []),
    ApiTooManyRequestsResponse({
      type: ErrorBody,
      description: 'Too many requests (code `rate_limited`); `Retry-After` says how many seconds to wait',
      headers: { ...headers, 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
    }),
    ApiResponse({ status: 'default', description: 'Every response carries the X-RateLimit-* headers', headers }),
    ApiHeader({ name: 'X-Forwarded-For', required: false, description: 'Honoured only behind a trusted proxy (TRUST_PROXY)' }),
  );
