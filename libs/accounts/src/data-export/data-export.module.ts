import { Module } from '@nestjs/common';
import { AccountExportSections } from './account-export-sections.js';
import { DataExportController } from './data-export.controller.js';
import { DataExportService } from './data-export.service.js';

/** `GET /users/me/download-data`: the GDPR export, with sections any module adds through the DataExportRegistry. */
@Module({
  controllers: [DataExportController],
  providers: [DataExportService, AccountExportSections],
})
export class DataExportModule {}
