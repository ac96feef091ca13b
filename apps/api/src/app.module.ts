import { type DynamicModule, Module, type ModuleMetadata } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import {
  AppConfig,
  AuthGuard,
  ConfigModule,
  ContributionsModule,
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
  DataExportModule,
  IDENTITY_ENTITIES,
  IdentityModule,
  Invitation,
  InvitationsModule,
  MagicLinksModule,
  MfaModule,
  OrganizationSwitchModule,
  RolesModule,
  SessionsModule,
  UsersAdminModule,
  VerificationModule,
} from '@atrium/identity';
import { ORGANIZATION_ENTITIES, OrganizationsModule } from '@atrium/organizations';
import { BILLING_ENTITIES, BillingModule } from '@atrium/billing';
import { MIGRATIONS } from '@atrium/migrations';

export const ENTITIES = [...AUDIT_ENTITIES, ...ORGANIZATION_ENTITIES, ...IDENTITY_ENTITIES, ...BILLING_ENTITIES, Invitation];

/** The platform kernel and every feature library; workers run in-process unless RUN_WORKERS=false. */
export function coreImports(config: AppConfig, opts: { workers: boolean }) {
  return [
    ConfigModule.forRoot(config),
    DatabaseModule.forRoot({ entities: ENTITIES, migrations: MIGRATIONS }),
    EventsModule,
    ContributionsModule,
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
    // After IdentityModule, so its /users/me routes are matched before /users/:id.
    BillingModule,
    RolesModule,
    UsersAdminModule,
    InvitationsModule,
    OrganizationSwitchModule,
    DataExportModule,
  ];
}

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
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
      ],
    };
  }
}
