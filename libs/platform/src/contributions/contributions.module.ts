import { Global, Module } from '@nestjs/common';
import { AccessRestrictionRegistry } from './access-restrictions.registry.js';
import { SocketReactionRegistry } from './socket-reactions.registry.js';
import { DataExportRegistry } from './data-export.registry.js';
import { UsageRegistry } from './usage.registry.js';
import { NotificationTypeRegistry } from './notification-types.registry.js';
import { WebhookHandlerRegistry } from './webhook-handlers.registry.js';

/**
 * Registries features contribute to without importing each other (or the kernel naming them): the GDPR export,
 * usage meters, socket reactions, access restrictions, notification types and inbound webhook handlers.
 */
@Global()
@Module({
  providers: [
    DataExportRegistry,
    UsageRegistry,
    SocketReactionRegistry,
    AccessRestrictionRegistry,
    NotificationTypeRegistry,
    WebhookHandlerRegistry,
  ],
  exports: [
    DataExportRegistry,
    UsageRegistry,
    SocketReactionRegistry,
    AccessRestrictionRegistry,
    NotificationTypeRegistry,
    WebhookHandlerRegistry,
  ],
})
export class ContributionsModule {}
