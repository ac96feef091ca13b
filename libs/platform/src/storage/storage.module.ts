import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { BlobStorage } from './blob-storage.js';
import { LocalBlobStorage } from './local-blob-storage.js';
import { S3BlobStorage } from './s3-blob-storage.js';
import { loadStorageConfig } from './storage.config.js';

/** The BlobStorage of the configured driver (validated at boot). */
export function createBlobStorage(app: AppConfig): BlobStorage {
  const config = loadStorageConfig(app);
  return config.driver === 'local' ? new LocalBlobStorage(config.root) : new S3BlobStorage(config);
}

/** Makes the configured BlobStorage injectable everywhere. */
@Global()
@Module({
  providers: [{ provide: BlobStorage, useFactory: createBlobStorage, inject: [AppConfig] }],
  exports: [BlobStorage],
})
export class StorageModule implements OnApplicationShutdown {
  constructor(@Inject(BlobStorage) private readonly storage: BlobStorage) {}

  onApplicationShutdown(): void {
    if (this.storage instanceof S3BlobStorage) this.storage.close();
  }
}
