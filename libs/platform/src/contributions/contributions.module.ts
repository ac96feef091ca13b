import { Global, Module } from '@nestjs/common';
import { AccessRestrictionRegistry } from './access-restrictions.registry.js';
import { SocketReactionRegistry } from './socket-reactions.registry.js';
import { DataExportRegistry } from './data-export.registry.js';
import { UsageRegistry } from './usage.registry.js';

/**
 * Registries features contribute to without importing each other (or the kernel naming them): the GDPR export,
 * usage meters, socket reactions and access restrictions.
 */
@Global()
@Module({
  providers: [DataExportRegistry, UsageRegistry, SocketReactionRegistry, AccessRestrictionRegistry],
  exports: [DataExportRegistry, UsageRegistry, SocketReactionRegistry, AccessRestrictionRegistry],
})
export class ContributionsModule {}
