import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import {
  AppConfig,
  AuthGuard,
  ConfigModule,
  DatabaseModule,
  EventsModule,
  HealthModule,
  HttpExceptionFilter,
  MailModule,
  QueueModule,
  RateLimitGuard,
  RateLimitModule,
  RealtimeModule,
} from '@atrium/platform';
import { AUDIT_ENTITIES, AuditModule } from '@atrium/audit';
import {
  ApiKeysModule,
  IDENTITY_ENTITIES,
  IdentityModule,
  MagicLinksModule,
  MfaModule,
  SessionsModule,
  VerificationModule,
} from '@atrium/identity';
import { ORGANIZATION_ENTITIES, OrganizationsModule } from '@atrium/organizations';
import { MIGRATIONS } from '@atrium/migrations';

export const ENTITIES = [...AUDIT_ENTITIES, ...ORGANIZATION_ENTITIES, ...IDENTITY_ENTITIES];

/** The platform kernel and every feature library; workers run in-process unless RUN_WORKERS=false. */
export function coreImports(config: AppConfig, opts: { workers: boolean }) {
  return [
    ConfigModule.forRoot(config),
    DatabaseModule.forRoot({ entities: ENTITIES, migrations: MIGRATIONS }),
    EventsModule,
    AuditModule,
    QueueModule.forRoot(config),
    MailModule.register({ workers: opts.workers }),
    OrganizationsModule,
    IdentityModule,
    MfaModule,
    ApiKeysModule,
    SessionsModule,
    VerificationModule,
    MagicLinksModule,
  ];
}

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
