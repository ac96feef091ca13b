import { Global, Module } from '@nestjs/common';
import { AccessRestrictionRegistry } from './access-restrictions.registry.js';
import { SocketReactionRegistry } from './socket-reactions.registry.js';
import { DataExportRegistry } from './data-export.registry.js';
import { UsageRegistry } from './usage.registry.js';
import { NotificationTypeRegistry } from './notification-types.registry.js';

/**
 * Registries features contribute to without importing each other (or the kernel naming them): the GDPR export,
 * usage meters, socket reactions, access restrictions and notification types.
 */
@Global()
@Module({
  providers: [DataExportRegistry, UsageRegistry, SocketReactionRegistry, AccessRestrictionRegistry, NotificationTypeRegistry],
  exports: [DataExportRegistry, UsageRegistry, SocketReactionRegistry, AccessRestrictionRegistry, NotificationTypeRegistry],
})
export class ContributionsModule {}
