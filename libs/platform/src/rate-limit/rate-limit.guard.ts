import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { RouteMemo } from '../http/route-memo.js';
import { clientKey } from './client-key.js';
import { applyCounts } from './rate-limit.answer.js';
import { RateLimitCounters } from './rate-limit.counters.js';
import { IP_BUDGET, RATE_LIMIT_KEY, type RateLimitPolicy } from './rate-limit.policy.js';

/**
 * Global guard, registered before authentication so floods are turned away before any lookup: counts the client
 * IP against the route's policy (accounts are counted later, by `AccountRateLimitInterceptor`). Sets X-RateLimit-*
 * on every response it counts; past the limit answers 429 with Retry-After. The client IP is `req.ip`, which
 * follows the app's `trust proxy` setting; an IPv6 client is counted by its /64.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly routes: RouteMemo<{ policy: RateLimitPolicy }>;

  constructor(
    reflector: Reflector,
    private readonly counters: RateLimitCounters,
  ) {
    this.routes = new RouteMemo((targets) => ({
      policy: reflector.getAllAndOverride<RateLimitPolicy>(RATE_LIMIT_KEY, targets) ?? 'default',
    }));
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    // Socket messages are not counted (yet): a feature with busy handlers brings its own limit. Any other kind of handler is refused.
    const type = context.getType();
    if (type !== 'http') return type === 'ws';
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    const { policy } = this.routes.of(context);
    const ip = clientKey(req.ip ?? req.socket.remoteAddress);

    return this.counters.hit(IP_BUDGET[policy], ip).then((count) => {
      applyCounts(res, [count]);
      return true;
    });
  }
}
