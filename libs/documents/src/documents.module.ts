import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '@atrium/audit';
import { AppConfig } from '@atrium/platform';
import { DocumentContributions } from './document-contributions.js';
import { DocumentService } from './document.service.js';
import { DocumentsConfig, loadDocumentsConfig } from './documents.config.js';
import { DocumentsController } from './documents.controller.js';
import { DocumentDownloads } from './download/document-downloads.js';
import { DocumentLinks } from './download/document-links.js';
import { SignedDownloadController } from './download/signed-download.controller.js';
import { DOCUMENTS_QUEUE, DocumentsProcessor, PendingBlobs, PendingBlobsScheduler } from './pending-blobs.js';
import { DocumentUploadService } from './upload/document-upload.service.js';

/**
 * Documents: uploads streamed to blob storage (the platform's StorageModule), checked by content and against the
 * package's per-file and total limits; lists, downloads (also by signed link) and deletes. The orphan sweep runs only
 * where `workers` is true.
 */
@Module({})
export class DocumentsModule {
  static register(opts: { workers: boolean }): DynamicModule {
    return {
      module: DocumentsModule,
      imports: [BullModule.registerQueue({ name: DOCUMENTS_QUEUE }), AuditModule],
      controllers: [DocumentsController, SignedDownloadController],
      providers: [
        { provide: DocumentsConfig, useFactory: (app: AppConfig) => loadDocumentsConfig(app), inject: [AppConfig] },
        PendingBlobs,
        DocumentLinks,
        DocumentUploadService,
        DocumentService,
        DocumentDownloads,
        DocumentContributions,
        ...(opts.workers ? [PendingBlobsScheduler, DocumentsProcessor] : []),
      ],
    };
  }
}
