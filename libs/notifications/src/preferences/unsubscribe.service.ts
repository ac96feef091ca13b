import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { type NotificationType, NotificationTypeRegistry, type RequestContext, withTenant } from '@atrium/platform';
import { NotificationsError } from '../notifications.errors.js';
import { chosenChannels } from './channel-choice.js';
import { auditedSettings, inForce, PreferenceStore } from './preference-store.js';
import { PREFERENCES_UPDATED } from './preference.service.js';
import { UnsubscribeLinks } from './unsubscribe-links.js';
import type { UnsubscribeClaims } from './unsubscribe-token.js';

/** What a valid link is about, for the confirmation page and the answer. */
export interface UnsubscribeTarget {
  type: NotificationType;
  organizationName: string;
  /** The address the link was mailed to (the account's email). */
  email: string;
}

/**
 * One-click unsubscribe (RFC 8058): mail of every type users may turn off carries a signed link; posting it turns that
 * type's email off for that user in that organization, with no session. Checking a link never changes anything.
 */
@Injectable()
export class UnsubscribeService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly types: NotificationTypeRegistry,
    private readonly store: PreferenceStore,
    private readonly links: UnsubscribeLinks,
    private readonly audit: AuditWriter,
  ) {}

  /** What a link would turn off; 400 `invalid_unsubscribe_link` for anything but a link of ours to an existing member. */
  async check(token: unknown): Promise<UnsubscribeTarget> {
    const { target } = await this.inLinkOrganization(token, () => this.resolve(this.dataSource.manager, token));
    return target;
  }

  /** Row-level security: a link works in the organization its signed claims name (none for a link not of ours). */
  private inLinkOrganization<T>(token: unknown, work: () => Promise<T>): Promise<T> {
    return withTenant(this.links.verify(token)?.organizationId, work);
  }

  /**
   * Turns the link's type email off, starting from the settings in force when the user has none of their own.
   * Answers whether it was on; when it already was off nothing is written.
   */
  async unsubscribe(ctx: RequestContext, token: unknown): Promise<{ changed: boolean; message: string }> {
    return this.inLinkOrganization(token, () =>
      this.dataSource.transaction(async (em) => {
        const { claims, target } = await this.resolve(em, token);
        const { organizationId, userId } = claims;
        await this.store.lock(em, organizationId, userId);
        const stored = await this.store.storedFor(em, organizationId, userId);
        const { settings } = inForce(stored);
        const what = `"${target.type.description}" emails from ${target.organizationName}`;
        if (!chosenChannels(target.type, settings).email) return { changed: false, message: `${what} are already off.` };
        const base = settings ?? { email_enabled: true, in_app_enabled: true, preferences: {} };
        const after = {
          email_enabled: base.email_enabled,
          in_app_enabled: base.in_app_enabled,
          preferences: { ...base.preferences, [target.type.key]: { ...base.preferences[target.type.key], email: false } },
          quiet_hours: stored.own?.quiet_hours ?? null,
        };
        await this.store.saveOwn(em, organizationId, userId, after);
        // Recorded in the link's organization, as the user it belongs to (the link stands in for their session).
        await this.audit.record(em, ctx.withOrganization(organizationId, []), {
          action: PREFERENCES_UPDATED,
          resourceType: 'notification_preferences',
          resourceId: userId,
          target: target.email,
          actorUserId: userId,
          before: auditedSettings(stored.own),
          after: auditedSettings(after),
          metadata: { via: 'unsubscribe_link', type: target.type.key, link_issued_at: claims.issuedAt },
        });
        return { changed: true, message: `You will no longer get ${what}.` };
      }),
    );
  }

  private async resolve(em: EntityManager, token: unknown): Promise<{ claims: UnsubscribeClaims; target: UnsubscribeTarget }> {
    const claims = this.links.verify(token);
    const type = claims && this.types.get(claims.type);
    if (!claims || !type || type.required) throw NotificationsError.invalid_unsubscribe_link();
    const [member]: Array<{ name: string; email: string }> = await em.query(
      `SELECT o.name, u.email FROM memberships m JOIN organizations o ON o.id = m.organization_id JOIN users u ON u.id = m.user_id
        WHERE m.organization_id = $1 AND m.user_id = $2`,
      [claims.organizationId, claims.userId],
    );
    if (!member) throw NotificationsError.invalid_unsubscribe_link();
    return { claims, target: { type, organizationName: member.name, email: member.email } };
  }
}
