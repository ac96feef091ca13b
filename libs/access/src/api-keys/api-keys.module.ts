import { Module } from '@nestjs/common';
import { AuditModule } from '@atrium/audit';
import { ApiKeyLookup } from './api-key-lookup.js';
import { ApiKeyService } from './api-key.service.js';
import { ApiKeysController } from './api-keys.controller.js';

/** Organization API keys; exports the lookup the authenticator uses for `x-api-key`. */
@Module({
  imports: [AuditModule],
  controllers: [ApiKeysController],
  providers: [ApiKeyService, ApiKeyLookup],
  exports: [ApiKeyLookup],
})
export class ApiKeysModule {}
