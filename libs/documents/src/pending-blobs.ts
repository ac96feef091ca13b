import { InjectQueue, Processor } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { DataSource, type EntityManager } from 'typeorm';
import { AcrossTenants, BlobStorage, returnedRows, TenantScopedWorkerHost } from '@atrium/platform';
import { DocumentsConfig } from './documents.config.js';

/** Documents' queue: the orphan sweep. */
export const DOCUMENTS_QUEUE = 'documents';
export const SWEEP_JOB = 'sweep-orphans';
/** The job scheduler's id: upserted by every worker at boot, it fires once per interval across all of them. */
export const SWEEP_SCHEDULER = 'documents-sweep-orphans';
const SWEEP_EVERY_MS = 15 * 60 * 1000;
const BATCH = 100;

/**
 * Blobs no committed document backs: a key is listed (and committed) before its blob is stored and unlisted in the
 * transaction that inserts its document; a deleted document's key is listed in the delete's transaction until its blob
 * is gone. Whatever crashes in between, a listed key's blob is removed by the sweep once it is old enough.
 */
@Injectable()
export class PendingBlobs {
  private readonly logger = new Logger(PendingBlobs.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly storage: BlobStorage,
    private readonly config: DocumentsConfig,
  ) {}

  /** Lists `key` (in `em`'s transaction, or committed at once). */
  async add(organizationId: string, key: string, em: EntityManager = this.dataSource.manager): Promise<void> {
    await em.query(`INSERT INTO document_pending_blobs (storage_key, organization_id) VALUES ($1, $2)`, [key, organizationId]);
  }

  /** Unlists `key` in the document's transaction; false when the sweep took it meanwhile (its blob is gone or going). */
  async claim(em: EntityManager, key: string): Promise<boolean> {
    return returnedRows(await em.query(`DELETE FROM document_pending_blobs WHERE storage_key = $1 RETURNING 1`, [key])).length > 0;
  }

  /** Removes the blob now, then unlists it; if storage fails the key stays listed for the sweep. */
  async discard(key: string): Promise<void> {
    try {
      await this.storage.delete(key);
      await this.dataSource.query(`DELETE FROM document_pending_blobs WHERE storage_key = $1`, [key]);
    } catch (err) {
      this.logger.warn(`Blob ${key} stays listed for the orphan sweep: ${(err as Error).message}`);
    }
  }

  /**
   * Removes the blobs of keys listed longer than DOCUMENT_ORPHAN_MINUTES; answers how many. Each key is locked while its
   * blob is deleted, so an upload committing that key at the same moment either wins (the sweep skips it) or fails.
   */
  @AcrossTenants()
  async sweep(): Promise<number> {
    let swept = 0;
    for (;;) {
      const n = await this.dataSource.transaction(async (em) => {
        const rows: Array<{ storage_key: string }> = await em.query(
          `SELECT storage_key FROM document_pending_blobs WHERE created_at < now() - make_interval(mins => $1::int)
            ORDER BY created_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
          [this.config.orphanMinutes],
        );
        for (const { storage_key } of rows) await this.storage.delete(storage_key);
        if (rows.length) {
          await em.query(`DELETE FROM document_pending_blobs WHERE storage_key = ANY ($1::text[])`, [rows.map((r) => r.storage_key)]);
        }
        return rows.length;
      });
      swept += n;
      if (n < BATCH) return swept;
    }
  }
}

/** Registers the orphan sweep (worker processes only). */
@Injectable()
export class PendingBlobsScheduler implements OnApplicationBootstrap {
  constructor(@InjectQueue(DOCUMENTS_QUEUE) private readonly queue: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.upsertJobScheduler(
      SWEEP_SCHEDULER,
      { every: SWEEP_EVERY_MS },
      { name: SWEEP_JOB, data: {}, opts: { attempts: 3, removeOnComplete: { count: 30 }, removeOnFail: { count: 100 } } },
    );
  }
}

@Processor(DOCUMENTS_QUEUE)
export class DocumentsProcessor extends TenantScopedWorkerHost {
  constructor(private readonly pending: PendingBlobs) {
    super();
  }

  protected async run(job: Job): Promise<unknown> {
    if (job.name === SWEEP_JOB) return { swept: await this.pending.sweep() };
    throw new Error(`Unknown documents job ${job.name}`);
  }
}
