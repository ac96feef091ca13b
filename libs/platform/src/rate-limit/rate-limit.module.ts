import { Global, Module } from '@nestjs/common';
import { RateLimitCounters } from './rate-limit.counters.js';
import { RateLimitGuard } from './rate-limit.guard.js';

/** The rate limiter: counters in Redis when REDIS_URL is set, else in-process. Register `RateLimitGuard` as APP_GUARD before auth. */
@Global()
@Module({
  providers: [RateLimitCounters, RateLimitGuard],
  exports: [RateLimitCounters, RateLimitGuard],
})
export class RateLimitModule {}
