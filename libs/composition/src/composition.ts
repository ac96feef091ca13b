import {
  AccessModule,
  ACCESS_ENTITIES,
  AccessRetentionModule,
  ApiKeysModule,
  CredentialsModule,
  MfaModule,
  SessionsModule,
} from '@atrium/access';
import {
  ACCOUNT_ENTITIES,
  AccountsModule,
  DataExportModule,
  MagicLinksModule,
  OrganizationSwitchModule,
  VerificationModule,
} from '@atrium/accounts';
import { AUDIT_ENTITIES, AuditIntegrityModule, AuditModule } from '@atrium/audit';
import { BILLING_ENTITIES, BillingModule } from '@atrium/billing';
import { DOCUMENT_ENTITIES, DocumentsModule } from '@atrium/documents';
import { INTEGRATION_ENTITIES, IntegrationsModule } from '@atrium/integrations';
import { InvitationsModule, MEMBER_ENTITIES, UsersAdminModule } from '@atrium/members';
import { MESSAGING_ENTITIES, MessagingModule } from '@atrium/messaging';
import { MIGRATIONS } from '@atrium/migrations';
import { NotificationsModule } from '@atrium/notifications';
import { ORGANIZATION_ENTITIES, OrganizationsModule, RolesModule } from '@atrium/organizations';
import {
  type AppConfig,
  ConfigModule,
  ContributionsModule,
  DatabaseModule,
  EventsModule,
  MailModule,
  QueueModule,
  StorageModule,
} from '@atrium/platform';

/** Every entity of every library, for the DataSource. */
export const ENTITIES = [
  ...AUDIT_ENTITIES,
  ...ORGANIZATION_ENTITIES,
  ...ACCOUNT_ENTITIES,
  ...ACCESS_ENTITIES,
  ...MEMBER_ENTITIES,
  ...BILLING_ENTITIES,
  ...MESSAGING_ENTITIES,
  ...DOCUMENT_ENTITIES,
  ...INTEGRATION_ENTITIES,
];

/**
 * The platform kernel and every feature library, as both the api and the worker run them; workers run
 * in-process only where `workers` is true. Order matters only for routes that share a prefix: AccountsModule
 * (`/users/me`) comes before UsersAdminModule (`/users/:id`).
 */
export function coreImports(config: AppConfig, opts: { workers: boolean }) {
  return [
    ConfigModule.forRoot(config),
    DatabaseModule.forRoot({ entities: ENTITIES, migrations: MIGRATIONS }),
    EventsModule,
    ContributionsModule,
    QueueModule.forRoot(config),
    MailModule.register({ workers: opts.workers }),
    StorageModule,
    AuditModule,
    AuditIntegrityModule.register({ workers: opts.workers }),
    OrganizationsModule,
    RolesModule,
    AccessModule,
    CredentialsModule,
    MfaModule,
    ApiKeysModule,
    SessionsModule,
    AccessRetentionModule.register({ workers: opts.workers }),
    AccountsModule,
    VerificationModule,
    MagicLinksModule,
    OrganizationSwitchModule,
    DataExportModule,
    BillingModule.register({ workers: opts.workers }),
    UsersAdminModule,
    InvitationsModule,
    MessagingModule.register({ workers: opts.workers }),
    NotificationsModule.register({ workers: opts.workers }),
    DocumentsModule.register({ workers: opts.workers }),
    // After BillingModule: its `POST /webhooks/test/stripe` is routed before `POST /webhooks/:organization/:provider`.
    IntegrationsModule.register({ workers: opts.workers }),
  ];
}
