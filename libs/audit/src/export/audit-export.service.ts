import type { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig, type RequestContext, WorkSlots } from '@atrium/platform';
import { AuditError } from '../audit.errors.js';
import { AUDIT_CSV_SELECT, AUDIT_ENTRY_COLUMNS, auditEntry, type AuditEntryRow } from '../query/audit-entry.js';
import { auditFilters, auditWhere } from '../query/audit-filters.js';
import type { AuditExportQueryDto, ExportFormat } from '../query/dto/audit-query.dto.js';
import { CursorTextStream } from './audit-export-stream.js';
import { openCopyStream } from './copy-stream.js';

/** The SELECT list of each format. */
const COLUMNS: Record<ExportFormat, string> = { csv: AUDIT_CSV_SELECT, ndjson: AUDIT_ENTRY_COLUMNS };

/** One NDJSON line: JSON.stringify writes no newline of its own (strings escape theirs). */
const ndjsonLine = (row: AuditEntryRow) => `${JSON.stringify(auditEntry(row))}\n`;

export const EXPORT_CONTENT_TYPE: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

/** The export's statement: every matching entry, newest first, with the format's columns. */
export function auditExportSelect(organizationId: string, query: AuditExportQueryDto): { text: string; values: unknown[] } {
  const w = auditWhere(organizationId, auditFilters(query));
  return {
    text: `SELECT ${COLUMNS[query.format]} FROM audit_logs a WHERE ${w.sql} ORDER BY a.created_at DESC, a.seq DESC`,
    values: w.values,
  };
}

/** Seconds a client refused with `audit_export_busy` is asked to wait. */
const BUSY_RETRY_AFTER_S = 10;

/**
 * How long a request waits for a slot before it is refused: long enough to take the slot of an export whose client
 * has just finished or gone away (its connection is on its way back to the pool), short enough not to queue clients.
 */
const SLOT_WAIT_MS = 2000;

/**
 * Streams the current organization's audit entries as CSV or NDJSON. Each download holds one of the process's database
 * connections for as long as the client takes to read it, so at most a quarter of the pool (at least one) exports at
 * once; a request beyond that waits up to SLOT_WAIT_MS for one to end, then is answered 429 `audit_export_busy`
 * instead of starving every other request of connections.
 */
@Injectable()
export class AuditExportService {
  private readonly slots: WorkSlots;

  constructor(
    private readonly dataSource: DataSource,
    config: AppConfig,
  ) {
    this.slots = new WorkSlots(Math.max(1, Math.floor(config.database.poolSize / 4)));
  }

  /** An opened stream of the file's text (the cursor is declared: a database failure throws here, before any byte). */
  async open(ctx: RequestContext, query: AuditExportQueryDto): Promise<Readable> {
    const select = auditExportSelect(ctx.requireOrganizationId(), query);
    const release = await this.slots.acquire(SLOT_WAIT_MS);
    if (!release) throw AuditError.audit_export_busy(undefined, undefined, { 'Retry-After': String(BUSY_RETRY_AFTER_S) });
    try {
      // CSV: PostgreSQL's own COPY writes the file (quoting, header); NDJSON: the entry shape is the app's mapping.
      const stream =
        query.format === 'csv'
          ? await openCopyStream(this.dataSource, select, 'FORMAT csv, HEADER')
          : await new CursorTextStream(this.dataSource, select, ndjsonLine).open();
      // Both streams close once their connection is back in the pool: the slot is the connection, not the client.
      stream.once('close', release);
      return stream;
    } catch (err) {
      release();
      throw err;
    }
  }
}
