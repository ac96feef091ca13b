import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AppConfig, AuthGuard, HealthModule, HttpExceptionFilter, RateLimitGuard, RateLimitModule, RealtimeModule } from '@atrium/platform';
import { coreImports } from '@atrium/composition';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [...coreImports(config, { workers: config.queue.runWorkers }), RateLimitModule, HealthModule, RealtimeModule],
      providers: [
        // Rate limits run first, so floods are turned away before any credential lookup.
        { provide: APP_GUARD, useExisting: RateLimitGuard },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
      ],
    };
  }
}
