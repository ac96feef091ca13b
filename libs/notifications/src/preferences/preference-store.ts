import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ChannelSettings } from './channel-choice.js';

/** The organization setting that holds the defaults of members who have not saved their own preferences. */
export const NOTIFICATION_DEFAULTS_SETTING = 'notification_defaults';

/** Reads the settings that decide each recipient's channels: their own, else their organization's defaults. */
@Injectable()
export class PreferenceStore {
  /** Settings per `organization:user` for these pairs; a pair with neither their own nor organization defaults is absent. */
  async settingsFor(em: EntityManager, pairs: Array<{ organizationId: string; userId: string }>): Promise<Map<string, ChannelSettings>> {
    const found = new Map<string, ChannelSettings>();
    if (!pairs.length) return found;
    const rows: Array<{ organization_id: string; user_id: string; own: ChannelSettings | null; defaults: ChannelSettings | null }> =
      await em.query(
        `SELECT p.organization_id, p.user_id,
                CASE WHEN np.user_id IS NOT NULL THEN json_build_object('email_enabled', np.email_enabled,
                     'in_app_enabled', np.in_app_enabled, 'preferences', np.types, 'quiet_hours', np.quiet_hours) END AS own,
                o.settings -> '${NOTIFICATION_DEFAULTS_SETTING}' AS defaults
           FROM unnest($1::uuid[], $2::uuid[]) AS p (organization_id, user_id)
           JOIN organizations o ON o.id = p.organization_id
           LEFT JOIN notification_preferences np ON np.organization_id = p.organization_id AND np.user_id = p.user_id`,
        [pairs.map((p) => p.organizationId), pairs.map((p) => p.userId)],
      );
    for (const r of rows) {
      const settings = r.own ?? r.defaults;
      if (settings) found.set(pairKey(r.organization_id, r.user_id), settings);
    }
    return found;
  }
}

export const pairKey = (organizationId: string, userId: string) => `${organizationId}:${userId}`;
