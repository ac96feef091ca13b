import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { AppConfig } from '../config/app-config.js';
import { DomainError } from '../http/domain-error.js';
import { RouteMemo } from '../http/route-memo.js';
import { RATE_LIMIT_KEY, type RateLimitPolicy } from './rate-limit.decorator.js';
import { RateLimitStore, type WindowCount } from './rate-limit.store.js';

const WINDOW_MS = 60_000;

/** The account a sign-in request is about: its `email`, hashed so no address is kept in the counters. */
function accountOf(req: Request): string | undefined {
  const email = (req.body as { email?: unknown } | undefined)?.email;
  if (typeof email !== 'string' || !email.trim()) return undefined;
  return createHash('sha256').update(email.trim().toLowerCase().slice(0, 320)).digest('base64url').slice(0, 22);
}

/**
 * Global guard, registered before authentication so floods are turned away before any lookup.
 * Sets X-RateLimit-* on every response it counts; past the limit answers 429 with Retry-After.
 * The client IP is `req.ip`, which follows the app's `trust proxy` setting.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly routes: RouteMemo<{ policy: RateLimitPolicy; route: string }>;

  constructor(
    reflector: Reflector,
    private readonly config: AppConfig,
    private readonly store: RateLimitStore,
  ) {
    this.routes = new RouteMemo((targets) => ({
      policy: reflector.getAllAndOverride<RateLimitPolicy>(RATE_LIMIT_KEY, targets) ?? 'default',
      route: `${targets[1].name}.${targets[0].name}`,
    }));
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    // Socket messages are not counted (yet): a feature with busy handlers brings its own limit. Any other kind of handler is refused.
    const type = context.getType();
    if (type !== 'http') return type === 'ws';
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    const { policy, route } = this.routes.of(context);
    const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';

    let limit: number;
    let keys: string[];
    if (policy === 'auth') {
      limit = this.config.rateLimit.authPerMinute;
      const account = accountOf(req);
      keys = [`auth:${route}:ip:${ip}`, ...(account ? [`auth:${route}:acct:${account}`] : [])];
    } else {
      limit = this.config.rateLimit.defaultPerMinute;
      keys = [`default:ip:${ip}`];
    }

    // In-process counters answer at once: no promise, no extra turn of the event loop per request.
    const counts = this.store.hit(keys, WINDOW_MS);
    return Array.isArray(counts) ? decide(res, limit, counts) : counts.then((c) => decide(res, limit, c));
  }
}

/** Sets X-RateLimit-* from the tightest counter; past the limit, a 429 with Retry-After. */
function decide(res: Response, limit: number, counts: WindowCount[]): true {
  const tightest = counts.reduce((a, b) => (b.count > a.count || (b.count === a.count && b.resetMs > a.resetMs) ? b : a));
  const headers = rateLimitHeaders(limit, tightest);
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  const over = counts.filter((c) => c.count > limit);
  if (over.length) {
    const retryAfter = String(Math.max(1, Math.ceil(Math.max(...over.map((c) => c.resetMs)) / 1000)));
    throw new DomainError('too_many_requests', 'rate_limited', `Too many requests; try again in ${retryAfter} seconds`, undefined, {
      ...headers,
      'Retry-After': retryAfter,
    });
  }
  return true;
}

function rateLimitHeaders(limit: number, c: WindowCount): Record<string, string> {
  return {
    'X-RateLimit-Limit': String(limit),
    'X-RateLimit-Remaining': String(Math.max(0, limit - c.count)),
    'X-RateLimit-Reset': String(Math.max(0, Math.ceil(c.resetMs / 1000))),
  };
}
