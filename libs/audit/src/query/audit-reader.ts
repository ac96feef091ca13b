import { Injectable } from '@nestjs/common';
import { isUuid, type RequestContext, StatementPool } from '@atrium/platform';
import { AuditError } from '../audit.errors.js';
import { AUDIT_ENTRY_COLUMNS, auditEntry, type AuditEntryRow } from './audit-entry.js';
import { auditFilters, decodeCursor } from './audit-filters.js';
import {
  AUDIT_COUNT_CAP,
  auditCursorPage,
  auditCursorStatement,
  auditPage,
  type AuditPageRow,
  auditPageStatement,
  type AuditStatement,
} from './audit-page.js';
import type { AuditLogDto, AuditPageDto } from './dto/audit-entry.dto.js';
import type { AuditListQueryDto } from './dto/audit-query.dto.js';

const ONE = `SELECT ${AUDIT_ENTRY_COLUMNS} FROM audit_logs a WHERE a.id = $1 AND a.organization_id = $2`;

/** Reads the current organization's audit entries (fixed statements per filter shape: prepared). */
@Injectable()
export class AuditReader {
  constructor(private readonly statements: StatementPool) {}

  async list(ctx: RequestContext, query: AuditListQueryDto): Promise<AuditPageDto> {
    const organizationId = ctx.requireOrganizationId();
    const filters = auditFilters(query);
    const cursor = query.cursor ? decodeCursor(query.cursor) : undefined;
    if (cursor) return auditCursorPage(await this.run(auditCursorStatement(organizationId, filters, cursor, query.limit)), query.limit);
    if ((query.page - 1) * query.limit >= AUDIT_COUNT_CAP) throw AuditError.audit_page_too_deep();
    return auditPage(await this.run(auditPageStatement(organizationId, filters, query)), query);
  }

  async get(ctx: RequestContext, id: string): Promise<AuditLogDto> {
    if (!isUuid(id)) throw AuditError.audit_log_not_found();
    const [row] = await this.statements.rows<AuditEntryRow>('audit_one', ONE, [id, ctx.requireOrganizationId()]);
    if (!row) throw AuditError.audit_log_not_found();
    return auditEntry(row);
  }

  private run(statement: AuditStatement): Promise<AuditPageRow[]> {
    return this.statements.rows<AuditPageRow>(statement.name, statement.text, statement.values);
  }
}
