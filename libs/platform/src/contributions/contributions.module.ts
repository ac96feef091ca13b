import { Global, Module } from '@nestjs/common';
import { DataExportRegistry } from './data-export.registry.js';
import { UsageRegistry } from './usage.registry.js';

/** Registries features contribute to without importing each other: the GDPR export and usage meters. */
@Global()
@Module({ providers: [DataExportRegistry, UsageRegistry], exports: [DataExportRegistry, UsageRegistry] })
export class ContributionsModule {}
