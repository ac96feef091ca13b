import { type CallHandler, type ExecutionContext, HttpException, Injectable, type NestInterceptor, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { catchError, concatMap, type Observable } from 'rxjs';
import { contextOf, type ContextualRequest } from '../context/ctx.decorator.js';
import { DomainError } from '../http/domain-error.js';
import { RouteMemo } from '../http/route-memo.js';
import { clientKey } from './client-key.js';
import { applyCounts } from './rate-limit.answer.js';
import { RateLimitCounters } from './rate-limit.counters.js';
import { type Budget, RATE_LIMIT_KEY, type RateLimitPolicy } from './rate-limit.policy.js';

/** The account a sign-in request is about: its `email`, hashed so no address is kept in the counters. */
function accountOf(req: Request): string | undefined {
  const email = (req.body as { email?: unknown } | undefined)?.email;
  if (typeof email !== 'string' || !email.trim()) return undefined;
  return createHash('sha256').update(email.trim().toLowerCase().slice(0, 320)).digest('base64url').slice(0, 22);
}

/** A verdict on the credentials (wrong password or code, a locked factor), as opposed to a malformed or refused request. */
function isFailedSignIn(err: unknown): boolean {
  if (err instanceof DomainError) return err.kind === 'unauthorized' || err.kind === 'too_many_requests';
  return err instanceof HttpException && (err.getStatus() === 401 || err.getStatus() === 429);
}

type Counter = readonly [Budget, string];

/**
 * Counts the account a request is about, once it is known (after authentication and body parsing), for the
 * policies that have one; `@RateLimit` puts it on those routes. On a sign-in, each attempt holds a failure in
 * advance so concurrent guesses cannot overrun the budget; the outcome settles it: kept on a failed sign-in,
 * given back otherwise, and a successful one clears that IP's failures for the account.
 */
@Injectable()
export class AccountRateLimitInterceptor implements NestInterceptor {
  private readonly routes: RouteMemo<RateLimitPolicy>;

  constructor(
    reflector: Reflector,
    // Absent only where no HTTP request is served (the worker also loads the controllers' modules).
    @Optional() private readonly counters?: RateLimitCounters,
  ) {
    this.routes = new RouteMemo((targets) => reflector.getAllAndOverride<RateLimitPolicy>(RATE_LIMIT_KEY, targets) ?? 'default');
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const counters = this.counters;
    if (!counters) throw new Error('RateLimitModule is not loaded: account rate limits cannot be counted');
    const req = context.switchToHttp().getRequest<ContextualRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    const policy = this.routes.of(context);
    switch (policy) {
      case 'auth': {
        const account = accountOf(req);
        if (!account) return next.handle();
        const ip = clientKey(req.ip ?? req.socket.remoteAddress);
        return signIn(counters, res, next, ['sign-in-failures', `${account}:${ip}`], ['account-failures', account]);
      }
      case 'auth-mail': {
        const account = accountOf(req);
        if (account) applyCounts(res, [await counters.hit('sign-in-mail', account)]);
        return next.handle();
      }
      case 'resend-verification': {
        const userId = contextOf(req).userId;
        if (userId) applyCounts(res, [await counters.hit('resend-verification', `user:${userId}`)]);
        return next.handle();
      }
      case 'registration':
      case 'inbound':
      case 'default':
        return next.handle();
    }
  }
}

/** Holds a failure on the (account, IP) pair and on the account, then settles both by the outcome. */
async function signIn(
  limits: RateLimitCounters,
  res: Response,
  next: CallHandler,
  pair: Counter,
  account: Counter,
): Promise<Observable<unknown>> {
  const held = [pair, account];
  const giveBack = () => Promise.all(held.map(([budget, key]) => limits.refund(budget, key)));
  const counts = await Promise.all(held.map(([budget, key]) => limits.hit(budget, key)));
  // A refused attempt checks no password, so it is no failure: hammering on cannot use up the account's ceiling.
  if (counts.some((c) => c.over)) await giveBack();
  applyCounts(res, counts);

  return next.handle().pipe(
    catchError(async (err: unknown) => {
      if (!isFailedSignIn(err)) await giveBack();
      throw err;
    }),
    concatMap(async (value: unknown) => {
      await Promise.all([limits.clear(...pair), limits.refund(...account)]);
      return value;
    }),
  );
}
