import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { returnedRows } from '@atrium/platform';
import { joinUrl } from '../health/health-monitor.js';
import { IntegrationsConfig } from '../integrations.config.js';
import { outboundGet } from '../outbound/outbound-http.js';
import type { SyncType } from './dto/sync.dto.js';

const PAGE_TIMEOUT_MS = 30_000;
const MAX_PAGE_BYTES = 10 * 1024 * 1024;
/** Waits before the second and third try of a page that failed. */
const PAGE_RETRY_DELAYS_MS = [500, 1500];
const MAX_ERROR_LENGTH = 1000;

/** What one job did with its run. */
export type SyncRunOutcome = 'completed' | 'failed' | 'stopped' | 'not_claimed';

interface ClaimedRun {
  id: string;
  organization_id: string;
  provider_id: string;
  sync_type: SyncType;
  pages_done: number;
  base_url: string;
}

interface SyncPage {
  records: Array<Record<string, unknown> & { id: string | number }>;
  total: number | null;
}

class SyncPageError extends Error {}

/**
 * Takes a queued run, or a running one whose worker stopped renewing its lease, and claims it (a take-over counts in
 * `resumes`). Only a run no live worker holds can be claimed, so two workers never pull the same run.
 */
const CLAIM = `
  UPDATE integration_sync_runs r
     SET status = 'running', started_at = coalesce(r.started_at, now()), heartbeat_at = now(),
         resumes = r.resumes + CASE WHEN r.status = 'running' THEN 1 ELSE 0 END
    FROM webhook_providers p
   WHERE r.id = $1 AND p.id = r.provider_id
     AND (r.status = 'queued' OR (r.status = 'running' AND coalesce(r.heartbeat_at, r.created_at) < now() - $2 * interval '1 millisecond'))
  RETURNING r.id, r.organization_id, r.provider_id, r.sync_type, r.pages_done, p.base_url`;

/**
 * Upserts one page's records, keyed by (provider, type, external id): a record seen again only updates its row (and
 * counts as updated when its data changed). Answers the records created and updated.
 */
const UPSERT = `
  WITH input AS (
    SELECT DISTINCT ON (r->>'id') r->>'id' AS external_id, r AS data FROM jsonb_array_elements($4::jsonb) r ORDER BY r->>'id'),
  upserted AS (
    INSERT INTO integration_synced_records AS s (organization_id, provider_id, sync_type, external_id, data)
    SELECT $1, $2, $3, external_id, data FROM input
    ON CONFLICT (provider_id, sync_type, external_id) DO UPDATE SET data = EXCLUDED.data, synced_at = now()
      WHERE s.data IS DISTINCT FROM EXCLUDED.data
    RETURNING (xmax = 0) AS inserted)
  SELECT count(*) FILTER (WHERE inserted)::int AS created, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM upserted`;

/** Reads a data page as the partner documents show it: `{ data: { records: [...], total } }`. */
function parsePage(body: Buffer): SyncPage {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new SyncPageError('The data page is not JSON');
  }
  const data = (json as { data?: { records?: unknown; total?: unknown } } | null)?.data;
  if (!data || !Array.isArray(data.records)) throw new SyncPageError('The data page has no data.records array');
  const bad = data.records.findIndex(
    (r) =>
      !r ||
      typeof r !== 'object' ||
      !['string', 'number'].includes(typeof (r as { id?: unknown }).id) ||
      String((r as { id: unknown }).id) === '',
  );
  if (bad >= 0) throw new SyncPageError(`Record ${bad} of the data page has no id`);
  return { records: data.records as SyncPage['records'], total: typeof data.total === 'number' ? data.total : null };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs one data sync: pulls `base_url/api/data/{type}?page=N&limit=M` page after page and commits each page's records
 * together with the run's progress (pages done, counts, lease), so a run taken over after a crash resumes after the
 * last committed page. It ends when a page is short or the pages cover the reported total. A page that fails three
 * tries fails the run. `stopping()` is checked between pages: a stopping worker releases the run for another.
 */
@Injectable()
export class SyncRunner {
  private readonly logger = new Logger('IntegrationSync');

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: IntegrationsConfig,
  ) {}

  async run(runId: string, stopping: () => boolean): Promise<SyncRunOutcome> {
    const [run] = returnedRows<ClaimedRun>(await this.dataSource.query(CLAIM, [runId, this.config.sync.leaseMs]));
    if (!run) return 'not_claimed';
    const limit = this.config.sync.pageSize;
    let pagesDone = run.pages_done;
    for (;;) {
      if (stopping()) {
        await this.dataSource.query(`UPDATE integration_sync_runs SET heartbeat_at = NULL WHERE id = $1 AND pages_done = $2`, [
          run.id,
          pagesDone,
        ]);
        return 'stopped';
      }
      const pageNo = pagesDone + 1;
      let page: SyncPage;
      try {
        page = await this.fetchPage(run, pageNo, limit);
      } catch (err) {
        await this.fail(run.id, pagesDone, err);
        return 'failed';
      }
      const done = page.records.length < limit || (page.total !== null && pageNo * limit >= page.total);
      const committed = await this.commitPage(run, pageNo, page, done);
      if (!committed) return 'not_claimed';
      pagesDone = pageNo;
      if (done) return 'completed';
    }
  }

  private async fetchPage(run: ClaimedRun, pageNo: number, limit: number): Promise<SyncPage> {
    const url = `${joinUrl(run.base_url, `/api/data/${run.sync_type}`)}?page=${pageNo}&limit=${limit}`;
    for (let attempt = 0; ; attempt++) {
      try {
        const answer = await outboundGet(url, { policy: this.config.outbound, timeoutMs: PAGE_TIMEOUT_MS, maxBytes: MAX_PAGE_BYTES });
        if (answer.status < 200 || answer.status >= 300) throw new SyncPageError(`Page ${pageNo}: HTTP ${answer.status}`);
        return parsePage(answer.body);
      } catch (err) {
        if (attempt >= PAGE_RETRY_DELAYS_MS.length) throw err;
        this.logger.warn(
          { sync_run_id: run.id, page: pageNo, attempt: attempt + 1, err: (err as Error).message },
          'Sync page failed; trying again',
        );
        await sleep(PAGE_RETRY_DELAYS_MS[attempt]);
      }
    }
  }

  /** Commits a page and the run's progress, only if this worker still holds the run at the page before; answers whether it did. */
  private commitPage(run: ClaimedRun, pageNo: number, page: SyncPage, done: boolean): Promise<boolean> {
    return this.dataSource.transaction(async (em) => {
      const [held] = await em.query<Array<{ id: string }>>(
        `SELECT id FROM integration_sync_runs WHERE id = $1 AND status = 'running' AND pages_done = $2 FOR UPDATE`,
        [run.id, pageNo - 1],
      );
      if (!held) return false;
      const [counts] = await em.query<Array<{ created: number; updated: number }>>(UPSERT, [
        run.organization_id,
        run.provider_id,
        run.sync_type,
        JSON.stringify(page.records.map((r) => ({ ...r, id: String(r.id) }))),
      ]);
      await em.query(
        `UPDATE integration_sync_runs
            SET pages_done = $2, total = coalesce($3, total), records_synced = records_synced + $4, records_created = records_created + $5,
                records_updated = records_updated + $6, heartbeat_at = now(),
                status = CASE WHEN $7 THEN 'completed' ELSE status END, finished_at = CASE WHEN $7 THEN now() END
          WHERE id = $1`,
        [run.id, pageNo, page.total, page.records.length, counts.created, counts.updated, done],
      );
      return true;
    });
  }

  private async fail(runId: string, pagesDone: number, err: unknown): Promise<void> {
    const message = (err instanceof Error ? err.message : String(err)).slice(0, MAX_ERROR_LENGTH);
    await this.dataSource.query(
      `UPDATE integration_sync_runs SET status = 'failed', error = $3, finished_at = now() WHERE id = $1 AND status = 'running' AND pages_done = $2`,
      [runId, pagesDone, message],
    );
    this.logger.warn({ sync_run_id: runId, err: message }, 'Data sync failed');
  }
}
