import { isoSql } from '@atrium/platform';
import type { SyncRunDto } from './dto/sync.dto.js';

/** The columns a run is answered with (`r` the run, `p` its provider). */
export const RUN_COLUMNS = `
  r.id, r.sync_type, r.status, r.pages_done, r.total, r.records_synced, r.records_created, r.records_updated, r.error, r.resumes,
  ${isoSql('r.created_at')} AS created_at, ${isoSql('r.started_at')} AS started_at, ${isoSql('r.finished_at')} AS finished_at,
  p.id AS provider_id, p.name AS provider_name`;

export type RunRow = Omit<SyncRunDto, 'service' | 'progress'> & { provider_id: string; provider_name: string };

export const toRunDto = ({ provider_id, provider_name, ...r }: RunRow): SyncRunDto => ({
  ...r,
  service: { id: provider_id, name: provider_name },
  progress: r.total === null ? null : r.total === 0 ? 100 : Math.min(100, Math.round((r.records_synced / r.total) * 100)),
});
