import { type DynamicModule, Module, type ModuleMetadata } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import {
  AppConfig,
  AuthGuard,
  BodyTypeGuard,
  HealthModule,
  HttpExceptionFilter,
  RateLimitGuard,
  RateLimitModule,
  RealtimeModule,
} from '@atrium/platform';
import { coreImports } from '@atrium/composition';

@Module({})
export class AppModule {
  /** `extra`: modules only tests add (e.g. a probe gateway), composed exactly like the real ones. */
  static forRoot(config: AppConfig, extra: NonNullable<ModuleMetadata['imports']> = []): DynamicModule {
    return {
      module: AppModule,
      imports: [...coreImports(config, { workers: config.queue.runWorkers }), RateLimitModule, HealthModule, RealtimeModule, ...extra],
      providers: [
        // Rate limits run first, so floods are turned away before any credential lookup.
        { provide: APP_GUARD, useExisting: RateLimitGuard },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useClass: BodyTypeGuard },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
      ],
    };
  }
}
