import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { NotificationTypeRegistry, type RequestContext, returnedRows } from '@atrium/platform';
import type { ChannelSettings } from './channel-choice.js';
import { channelsView, type OrganizationDefaultsDto } from './dto/preferences.dto.js';
import { readChannelSettings } from './preference-input.js';
import { auditedSettings, NOTIFICATION_DEFAULTS_SETTING } from './preference-store.js';

/**
 * The organization setting `notification_defaults`: the settings of members who have not saved their own. It lives in
 * `organizations.settings` beside the organization's own settings and is written only here (jsonb_set, so no other key
 * is touched), validated like a member's preferences.
 */
@Injectable()
export class OrganizationDefaultsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly types: NotificationTypeRegistry,
    private readonly audit: AuditWriter,
  ) {}

  async view(ctx: RequestContext): Promise<OrganizationDefaultsDto> {
    return this.viewOf(await this.read(this.dataSource.manager, ctx.requireOrganizationId(), false));
  }

  /** Replaces the defaults (a bad body changes nothing), audited in the same transaction. */
  async replace(ctx: RequestContext, body: unknown): Promise<OrganizationDefaultsDto> {
    const organizationId = ctx.requireOrganizationId();
    const defaults = readChannelSettings(body, (key) => this.types.get(key), { quietHours: false });
    return this.dataSource.transaction(async (em) => {
      const before = await this.read(em, organizationId, true);
      const [organization] = returnedRows<{ name: string }>(
        await em.query(
          `UPDATE organizations SET settings = jsonb_set(coalesce(settings, '{}'::jsonb), '{${NOTIFICATION_DEFAULTS_SETTING}}', $2::jsonb),
                updated_at = now()
          WHERE id = $1
          RETURNING name`,
          [organizationId, JSON.stringify(defaults)],
        ),
      );
      await this.audit.record(em, ctx, {
        action: 'notification_defaults.updated',
        resourceType: 'organization',
        resourceId: organizationId,
        target: organization.name,
        before: auditedSettings(before),
        after: auditedSettings(defaults),
      });
      return this.viewOf(defaults);
    });
  }

  /** The stored defaults (locking the organization's row for a change), or null when none are set. */
  private async read(em: EntityManager, organizationId: string, lock: boolean): Promise<ChannelSettings | null> {
    const [row]: Array<{ defaults: ChannelSettings | null }> = await em.query(
      `SELECT settings -> '${NOTIFICATION_DEFAULTS_SETTING}' AS defaults FROM organizations WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [organizationId],
    );
    return row?.defaults ?? null;
  }

  private viewOf(defaults: ChannelSettings | null): OrganizationDefaultsDto {
    const { types, ...channels } = channelsView(this.types.all(), defaults ?? undefined);
    return { ...channels, source: defaults ? 'organization' : 'defaults', types };
  }
}
