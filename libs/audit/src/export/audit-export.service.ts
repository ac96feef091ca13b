import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { RequestContext } from '@atrium/platform';
import { AUDIT_CSV_HEADER, AUDIT_CSV_LINE, AUDIT_ENTRY_JSON } from '../query/audit-entry.sql.js';
import { auditFilters, auditWhere } from '../query/audit-filters.js';
import type { AuditExportQueryDto, ExportFormat } from '../query/dto/audit-query.dto.js';
import { CursorTextStream } from './audit-export-stream.js';

const LINE: Record<ExportFormat, string> = {
  csv: AUDIT_CSV_LINE,
  // json has no newline of its own (strings escape theirs): one entry per line.
  ndjson: `${AUDIT_ENTRY_JSON}::text || E'\\n'`,
};

export const EXPORT_CONTENT_TYPE: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

/** The export's statement: every matching entry, newest first, each as one line of the format (built by PostgreSQL). */
export function auditExportSelect(organizationId: string, query: AuditExportQueryDto): { text: string; values: unknown[] } {
  const w = auditWhere(organizationId, auditFilters(query));
  return {
    text: `SELECT ${LINE[query.format]} AS line FROM audit_logs a WHERE ${w.sql} ORDER BY a.created_at DESC, a.seq DESC`,
    values: w.values,
  };
}

/** Streams the current organization's audit entries as CSV or NDJSON. */
@Injectable()
export class AuditExportService {
  constructor(private readonly dataSource: DataSource) {}

  /** An opened stream of the file's text (the cursor is declared: a database failure throws here, before any byte). */
  open(ctx: RequestContext, query: AuditExportQueryDto): Promise<CursorTextStream> {
    const select = auditExportSelect(ctx.requireOrganizationId(), query);
    return new CursorTextStream(this.dataSource, select, query.format === 'csv' ? AUDIT_CSV_HEADER : '').open();
  }
}
