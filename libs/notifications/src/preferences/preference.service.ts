import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { NotificationTypeRegistry, type RequestContext } from '@atrium/platform';
import { channelsView, type PreferencesDto, quietHoursView } from './dto/preferences.dto.js';
import { readChannelSettings } from './preference-input.js';
import { auditedSettings, inForce, PreferenceStore, type StoredSettings } from './preference-store.js';

/** The audit action of every change to a member's own notification settings (here, or through an unsubscribe link). */
export const PREFERENCES_UPDATED = 'notification_preferences.updated';

/** The caller's notification settings in the current organization. */
@Injectable()
export class PreferenceService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly types: NotificationTypeRegistry,
    private readonly store: PreferenceStore,
    private readonly audit: AuditWriter,
  ) {}

  /** What is in force for the caller: their own choice, else the organization's defaults, else each type's. */
  async view(ctx: RequestContext): Promise<PreferencesDto> {
    const stored = await this.store.storedFor(this.dataSource.manager, ctx.requireOrganizationId(), ctx.requireUserId());
    return this.viewOf(stored);
  }

  /** Replaces the caller's choice (a bad body changes nothing), audited in the same transaction. */
  async replace(ctx: RequestContext, body: unknown): Promise<PreferencesDto> {
    const organizationId = ctx.requireOrganizationId();
    const userId = ctx.requireUserId();
    const settings = readChannelSettings(body, (key) => this.types.get(key), { quietHours: true });
    return this.dataSource.transaction(async (em) => {
      await this.store.lock(em, organizationId, userId);
      const before = await this.store.storedFor(em, organizationId, userId);
      await this.store.saveOwn(em, organizationId, userId, settings);
      await this.audit.record(em, ctx, {
        action: PREFERENCES_UPDATED,
        resourceType: 'notification_preferences',
        resourceId: userId,
        target: ctx.accountEmail ?? null,
        before: auditedSettings(before.own),
        after: auditedSettings(settings),
      });
      return this.viewOf({ ...before, own: settings });
    });
  }

  private viewOf(stored: StoredSettings): PreferencesDto {
    const { settings, source } = inForce(stored);
    const { types, ...channels } = channelsView(this.types.all(), settings);
    return { ...channels, quiet_hours: quietHoursView(settings?.quiet_hours), source, types };
  }
}
