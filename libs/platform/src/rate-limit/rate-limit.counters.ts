import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppConfig, type RateLimitSettings } from '../config/app-config.js';
import type { Budget } from './rate-limit.policy.js';

/** One counter after a hit: the budget's size, what is left, and how long until its window ends. */
export interface Count {
  limit: number;
  remaining: number;
  resetMs: number;
  /** This hit went past the budget. */
  over: boolean;
}

function budgets(s: RateLimitSettings): Record<Budget, { points: number; duration: number }> {
  return {
    default: { points: s.defaultPerMinute, duration: 60 },
    inbound: { points: s.inboundPerMinute, duration: 60 },
    'sign-in': { points: s.authPerMinute, duration: 60 },
    'sign-in-mail': { points: s.authPerMinute, duration: 60 },
    'sign-in-failures': { points: s.authFailures, duration: s.authFailureWindowSeconds },
    'account-failures': { points: s.authAccountFailures, duration: s.authFailureWindowSeconds },
    registration: { points: s.registrationPerHour, duration: 3600 },
    'resend-verification': { points: s.resendVerificationPerHour, duration: 3600 },
  };
}

/** A budget a feature defined (`RateLimitCounters.budget`): counts one hit against `key`. */
export interface FeatureBudget {
  hit(key: string): Promise<Count>;
}

const countOf = (limiter: RateLimiterAbstract, res: RateLimiterRes): Count => ({
  limit: limiter.points,
  remaining: Math.max(0, limiter.points - res.consumedPoints),
  resetMs: Math.max(0, res.msBeforeNext),
  over: res.consumedPoints > limiter.points,
});

/** One hit against `key` (a refusal past the budget is a count too; any other failure rejects). */
function count(limiter: RateLimiterAbstract, key: string): Promise<Count> {
  return limiter.consume(key).then(
    (res) => countOf(limiter, res),
    (rejection: unknown) => {
      if (rejection instanceof RateLimiterRes) return countOf(limiter, rejection);
      throw rejection;
    },
  );
}

/**
 * The rate limiter's counters, on rate-limiter-flexible: in Redis when REDIS_URL is set (shared by every instance),
 * else in this process. While Redis is unreachable each counter falls back at once to an in-process one, so an
 * outage neither holds requests up (no offline queue, a command timeout) nor lets them through uncounted.
 */
@Injectable()
export class RateLimitCounters implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private readonly redis?: Redis;
  private readonly limiters: Record<Budget, RateLimiterAbstract>;
  private warned = false;
  private readonly prefix: string;

  constructor(config: AppConfig) {
    this.prefix = config.queue.prefix;
    const redisUrl = config.redisUrl;
    if (redisUrl) {
      this.redis = new Redis(redisUrl, { enableOfflineQueue: false, commandTimeout: 1000, maxRetriesPerRequest: 1 });
      this.redis.on('error', (err: Error) => {
        if (!this.warned) this.logger.warn(`Redis unavailable for rate limits (${err.message}); counting in-process meanwhile`);
        this.warned = true;
      });
      this.redis.on('ready', () => (this.warned = false));
    }
    const entries = Object.entries(budgets(config.rateLimit)).map(
      ([budget, { points, duration }]) => [budget, this.limiter(budget, points, duration)] as const,
    );
    this.limiters = Object.fromEntries(entries) as Record<Budget, RateLimiterAbstract>;
  }

  /**
   * A feature's own budget (e.g. per webhook provider): `points` hits per `duration` seconds per key, counted where the
   * platform's budgets are (Redis when set, with the same in-process fallback). Call once, at construction.
   */
  budget(name: string, points: number, duration: number): FeatureBudget {
    if (name in this.limiters) throw new Error(`Rate-limit budget ${name} is the platform's`);
    const limiter = this.limiter(name, points, duration);
    return { hit: (key) => count(limiter, key) };
  }

  private limiter(budget: string, points: number, duration: number): RateLimiterAbstract {
    const keyPrefix = `${this.prefix}:rl:${budget}`;
    return this.redis
      ? new RateLimiterRedis({
          storeClient: this.redis,
          rejectIfRedisNotReady: true,
          keyPrefix,
          points,
          duration,
          insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration }),
        })
      : new RateLimiterMemory({ keyPrefix, points, duration });
  }

  /** Starts counting in Redis from the first request (or gives up at the first connection error, counting in-process). */
  async onModuleInit(): Promise<void> {
    const redis = this.redis;
    if (!redis || redis.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const done = () => {
        redis.off('ready', done).off('error', done);
        resolve();
      };
      redis.once('ready', done).once('error', done);
    });
  }

  /** Counts one request against `key`. */
  hit(budget: Budget, key: string): Promise<Count> {
    return count(this.limiters[budget], key);
  }

  /** Gives back one hit (a request that, after all, does not count). */
  async refund(budget: Budget, key: string): Promise<void> {
    await this.limiters[budget].reward(key);
  }

  /** Forgets `key` altogether. */
  async clear(budget: Budget, key: string): Promise<void> {
    await this.limiters[budget].delete(key);
  }

  async onApplicationShutdown(): Promise<void> {
    const redis = this.redis;
    if (!redis) return;
    if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
    else redis.disconnect();
  }
}
