import { Foundation1764000000000 } from './1764000000000-foundation.js';
import { AuditLog1764000050000 } from './1764000050000-audit-log.js';
import { AccountSecurity1764000100000 } from './1764000100000-account-security.js';
import { PackageCatalogue1764000200000 } from './1764000200000-package-catalogue.js';
import { Invitations1764000200001 } from './1764000200001-invitations.js';
import { MemberListIndex1764000300000 } from './1764000300000-member-list-index.js';
import { DirectoryVersion1764000300001 } from './1764000300001-directory-version.js';
import { PendingEmail1764000410000 } from './1764000410000-pending-email.js';
import { MailDeliveryMessage1764000500100 } from './1764000500100-mail-delivery-message.js';
import { DirectoryVersionShownColumns1764000500200 } from './1764000500200-directory-version-shown-columns.js';
import { Outbox1764000600000 } from './1764000600000-outbox.js';
import { OutboxScope1764000600100 } from './1764000600100-outbox-scope.js';
import { OutboxWritePath1764000600200 } from './1764000600200-outbox-write-path.js';
import { BillingPlansPayments1764000700000 } from './1764000700000-billing-plans-payments.js';
import { SandboxGateway1764000700300 } from './1764000700300-sandbox-gateway.js';
import { Invoices1764000700400 } from './1764000700400-invoices.js';
import { BillingRenewals1764000700500 } from './1764000700500-billing-renewals.js';
import { Chats1764000800000 } from './1764000800000-chats.js';
import { Messages1764000800100 } from './1764000800100-messages.js';
import { Calls1764000800200 } from './1764000800200-calls.js';
import { Presence1764000800300 } from './1764000800300-presence.js';
import { StatelessQuotes1764000800400 } from './1764000800400-stateless-quotes.js';
import { SystemMessages1764000800600 } from './1764000800600-system-messages.js';
import { OutboxPendingByScope1764000800700 } from './1764000800700-outbox-pending-by-scope.js';
import { Notifications1764000900000 } from './1764000900000-notifications.js';
import { MailSendAfter1764000900100 } from './1764000900100-mail-send-after.js';
import { KnownSignIns1764000900200 } from './1764000900200-known-sign-ins.js';
import { NotificationDigests1764000900300 } from './1764000900300-notification-digests.js';
import { NotificationDigestDue1764000900400 } from './1764000900400-notification-digest-due.js';
import { AuditEntryComplete1764001000000 } from './1764001000000-audit-entry-complete.js';
import { Documents1764001000100 } from './1764001000100-documents.js';
import { AuditQueryIndexes1764001000200 } from './1764001000200-audit-query-indexes.js';
import { AuditSeals1764001000300 } from './1764001000300-audit-seals.js';
import { AuditRetentionFeature1764001000310 } from './1764001000310-audit-retention-feature.js';
import { SubscriptionTermsVersion1764001000400 } from './1764001000400-subscription-terms-version.js';
import { Integrations1764001100000 } from './1764001100000-integrations.js';
import { IntegrationsProcessing1764001200000 } from './1764001200000-integrations-processing.js';
import { IntegrationHealthSync1764001300000 } from './1764001300000-integration-health-sync.js';
import { RowLevelSecurity1764001400000 } from './1764001400000-row-level-security.js';
import { TenantPolicyInline1764001500000 } from './1764001500000-tenant-policy-inline.js';
import { WebhookEventQueue1764001600000 } from './1764001600000-webhook-event-queue.js';
import { AccessRetention1764001700000 } from './1764001700000-access-retention.js';

/** Every migration, in order. Add new ones at the end. */
export const MIGRATIONS = [
  Foundation1764000000000,
  AuditLog1764000050000,
  AccountSecurity1764000100000,
  PackageCatalogue1764000200000,
  Invitations1764000200001,
  MemberListIndex1764000300000,
  DirectoryVersion1764000300001,
  PendingEmail1764000410000,
  MailDeliveryMessage1764000500100,
  DirectoryVersionShownColumns1764000500200,
  Outbox1764000600000,
  OutboxScope1764000600100,
  OutboxWritePath1764000600200,
  BillingPlansPayments1764000700000,
  SandboxGateway1764000700300,
  Invoices1764000700400,
  BillingRenewals1764000700500,
  Chats1764000800000,
  Messages1764000800100,
  Calls1764000800200,
  Presence1764000800300,
  StatelessQuotes1764000800400,
  SystemMessages1764000800600,
  OutboxPendingByScope1764000800700,
  Notifications1764000900000,
  MailSendAfter1764000900100,
  KnownSignIns1764000900200,
  NotificationDigests1764000900300,
  NotificationDigestDue1764000900400,
  AuditEntryComplete1764001000000,
  Documents1764001000100,
  AuditQueryIndexes1764001000200,
  AuditSeals1764001000300,
  AuditRetentionFeature1764001000310,
  SubscriptionTermsVersion1764001000400,
  Integrations1764001100000,
  IntegrationsProcessing1764001200000,
  IntegrationHealthSync1764001300000,
  RowLevelSecurity1764001400000,
  TenantPolicyInline1764001500000,
  WebhookEventQueue1764001600000,
  AccessRetention1764001700000,
];
