export const RATE_LIMIT_KEY = 'atrium:rate-limit';

/**
 * What a route is counted against; routes without `@RateLimit` fall under `default`.
 * - `auth`: a sign-in attempt (login, verify-mfa, magic-link and invitation links, password reset). One budget per
 *   client IP across every sign-in route (`RATE_LIMIT_AUTH_PER_MINUTE`); when the body names an account (`email`),
 *   its failures count per (account, IP) and, more loosely, per account; a successful sign-in clears that IP's.
 * - `auth-mail`: asks for a sign-in mail (magic link, password reset): the same per-IP budget, and as many per account.
 * - `registration`: a new organization, per client IP.
 * - `resend-verification`: per client IP and per signed-in account.
 * - `inbound`: a callback from a payment gateway or a partner service (signed webhooks), per client IP on a budget of
 *   its own (`RATE_LIMIT_INBOUND_PER_MINUTE`): one sender delivers for many customers, and the route checks its
 *   signature before doing any work; features add their own per-sender limits.
 * - `default`: per client IP.
 */
export type RateLimitPolicy = 'auth' | 'auth-mail' | 'registration' | 'resend-verification' | 'inbound' | 'default';

/** The fixed-window counters behind the policies. */
export type Budget =
  'default' | 'inbound' | 'sign-in' | 'sign-in-mail' | 'sign-in-failures' | 'account-failures' | 'registration' | 'resend-verification';

/** The budget each policy counts the client IP against (before authentication, so floods stop early). */
export const IP_BUDGET: Record<RateLimitPolicy, Budget> = {
  auth: 'sign-in',
  'auth-mail': 'sign-in',
  registration: 'registration',
  'resend-verification': 'resend-verification',
  inbound: 'inbound',
  default: 'default',
};

/** Policies that also count an account, which the interceptor learns from the body or the signed-in user. */
export const ACCOUNT_POLICIES: ReadonlySet<RateLimitPolicy> = new Set(['auth', 'auth-mail', 'resend-verification']);
