import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type NamedStatement, type RequestContext, runPreparedIn } from '@atrium/platform';
import { AuditConfig } from './audit.config.js';
import { sanitizeForAudit } from './sanitize.js';

export interface AuditEntry {
  /** `resource.verb`, e.g. `user.created` */
  action: string;
  resourceType: string;
  resourceId?: string | null;
  /**
   * A human label of what was acted on, as it was named at the time: a user's email, a role's or an API key's name, an
   * organization's name, a chat's title. Null only when the resource has no name (a session, a call).
   */
  target: string | null;
  before?: object | null;
  after?: object | null;
  metadata?: Record<string, unknown>;
  /** Defaults to the context's user (e.g. a sign-in names the user who signed in). */
  actorUserId?: string | null;
}

/** The longest user agent kept (the rest is cut). */
const USER_AGENT_MAX = 512;

/**
 * One prepared statement per entry, on the caller's transaction connection. The actor's email comes from the
 * credential check's read of the account when the context has it ($4); otherwise (a sign-in, an invitation accepted,
 * a job acting for a user) the statement reads it from `users` itself, in the same round trip.
 */
const INSERT: NamedStatement = {
  name: 'atrium_audit_write',
  text: `INSERT INTO audit_logs (organization_id, actor_user_id, actor_api_key_id, actor_email, actor_api_key_name, action,
                                resource_type, resource_id, target, before, after, metadata, ip, user_agent, request_id)
         VALUES ($1, $2, $3, COALESCE($4, (SELECT u.email FROM users u WHERE u.id = $2)), $5, $6, $7, $8, $9, $10::jsonb,
                 $11::jsonb, $12::jsonb, $13, $14, $15)`,
};

/** The actor's email as the credential check read it, when the actor is the signed-in user (else the statement reads it). */
const emailFromContext = (ctx: RequestContext, actorUserId: string | null): string | null =>
  (actorUserId !== null && actorUserId === ctx.userId && ctx.accountEmail) || null;

const json = (value: unknown): string | null => {
  const clean = sanitizeForAudit(value);
  return clean === null ? null : JSON.stringify(clean);
};

/**
 * Writes audit entries inside the caller's transaction, so the trail commits or rolls back with the change.
 * The entry lands in the context's organization: to record in another one, pass a context acting for it.
 *
 * Who acted: a user (id and email), or an API key (id and name); an entry with neither was written by the system
 * (a job, a payment provider's callback). Secrets in before/after/metadata are redacted by key name (sanitize.ts).
 */
@Injectable()
export class AuditWriter {
  private readonly disabled: boolean;

  constructor(config: AuditConfig) {
    this.disabled = config.writesDisabled;
    if (this.disabled) {
      new Logger('Audit').warn(
        '!!! AUDIT_WRITES_DISABLED_FOR_BENCH is set: this server writes NO audit entries. It exists for the bench baseline only ' +
          'and is refused in production. !!!',
      );
    }
  }

  async record(em: EntityManager, ctx: RequestContext, entry: AuditEntry): Promise<void> {
    const organizationId = ctx.requireOrganizationId();
    if (this.disabled) return;
    const actorUserId = entry.actorUserId !== undefined ? entry.actorUserId : (ctx.userId ?? null);
    await runPreparedIn(em.queryRunner, em, INSERT, [
      organizationId,
      actorUserId,
      ctx.meta.apiKeyId ?? null,
      emailFromContext(ctx, actorUserId),
      ctx.meta.apiKeyName ?? null,
      entry.action,
      entry.resourceType,
      entry.resourceId ?? null,
      entry.target,
      json(entry.before),
      json(entry.after),
      json(entry.metadata ?? {}),
      ctx.meta.ip ?? null,
      ctx.meta.userAgent?.slice(0, USER_AGENT_MAX) ?? null,
      ctx.requestId || null,
    ]);
  }
}
