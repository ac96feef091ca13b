import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RequestContext } from '@atrium/platform';
import { AuditLog } from './audit-log.entity.js';
import { sanitizeForAudit } from './sanitize.js';

export interface AuditEntry {
  /** `resource.verb`, e.g. `user.created` */
  action: string;
  resourceType: string;
  resourceId?: string | null;
  before?: object | null;
  after?: object | null;
  metadata?: Record<string, unknown>;
  /** Defaults to the context's user (e.g. a sign-in names the user who signed in). */
  actorUserId?: string | null;
}

/**
 * Writes audit entries inside the caller's transaction, so the trail commits or rolls back with the change.
 * The entry lands in the context's organization: to record in another one, pass a context acting for it.
 */
@Injectable()
export class AuditWriter {
  async record(em: EntityManager, ctx: RequestContext, entry: AuditEntry): Promise<void> {
    const organizationId = ctx.requireOrganizationId();
    const repo = em.getRepository(AuditLog);
    const row = repo.create({
      organizationId,
      actorUserId: entry.actorUserId !== undefined ? entry.actorUserId : (ctx.userId ?? null),
      actorApiKeyId: ctx.meta.apiKeyId ?? null,
      action: entry.action,
      resourceType: entry.resourceType,
      resourceId: entry.resourceId ?? null,
      before: (sanitizeForAudit(entry.before) as Record<string, unknown> | null) ?? null,
      after: (sanitizeForAudit(entry.after) as Record<string, unknown> | null) ?? null,
      metadata: (sanitizeForAudit(entry.metadata ?? {}) as Record<string, unknown>) ?? {},
      ip: ctx.meta.ip ?? null,
      userAgent: ctx.meta.userAgent?.slice(0, 512) ?? null,
      requestId: ctx.requestId || null,
    });
    await repo.save(row);
  }
}
