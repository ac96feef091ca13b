import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { MemoryRateLimitStore, RateLimitStore, RedisRateLimitStore } from './rate-limit.store.js';

/** The rate limiter: Redis counters when REDIS_URL is set, else in-process. Register `RateLimitGuard` as APP_GUARD before auth. */
@Global()
@Module({
  providers: [
    {
      provide: RateLimitStore,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => (config.redisUrl ? new RedisRateLimitStore(config) : new MemoryRateLimitStore()),
    },
    RateLimitGuard,
  ],
  exports: [RateLimitStore, RateLimitGuard],
})
export class RateLimitModule {}
