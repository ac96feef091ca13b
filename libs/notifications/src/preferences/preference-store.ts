import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ChannelSettings } from './channel-choice.js';

/** The organization setting that holds the defaults of members who have not saved their own preferences. */
export const NOTIFICATION_DEFAULTS_SETTING = 'notification_defaults';

/** One member's stored settings: their own choice, and their organization's defaults for members without one. */
export interface StoredSettings {
  own: ChannelSettings | null;
  defaults: ChannelSettings | null;
}

/** Where a member's settings come from: their own choice, their organization's defaults, or each type's. */
export type SettingsSource = 'user' | 'organization' | 'defaults';

/** The settings in force and where they come from. */
export function inForce(stored: StoredSettings): { settings: ChannelSettings | undefined; source: SettingsSource } {
  if (stored.own) return { settings: stored.own, source: 'user' };
  if (stored.defaults) return { settings: stored.defaults, source: 'organization' };
  return { settings: undefined, source: 'defaults' };
}

/** Reads and writes the settings that decide each recipient's channels: their own, else their organization's defaults. */
@Injectable()
export class PreferenceStore {
  /** Settings per `organization:user` for these pairs; a pair with neither their own nor organization defaults is absent. */
  async settingsFor(em: EntityManager, pairs: Array<{ organizationId: string; userId: string }>): Promise<Map<string, ChannelSettings>> {
    const found = new Map<string, ChannelSettings>();
    for (const r of await this.read(em, pairs)) {
      const { settings } = inForce(r);
      if (settings) found.set(pairKey(r.organization_id, r.user_id), settings);
    }
    return found;
  }

  /** One member's stored settings (nothing stored: both null). */
  async storedFor(em: EntityManager, organizationId: string, userId: string): Promise<StoredSettings> {
    const [row] = await this.read(em, [{ organizationId, userId }]);
    return { own: row?.own ?? null, defaults: row?.defaults ?? null };
  }

  /**
   * Serializes changes to one member's settings until the transaction ends, so a change reads what the previous one
   * wrote (and audits the right "before") even when the member has no row yet to lock.
   */
  async lock(em: EntityManager, organizationId: string, userId: string): Promise<void> {
    await em.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`notification_preferences:${organizationId}:${userId}`]);
  }

  /** Stores a member's own settings, replacing what they had. */
  async saveOwn(em: EntityManager, organizationId: string, userId: string, settings: ChannelSettings): Promise<void> {
    await em.query(
      `INSERT INTO notification_preferences (organization_id, user_id, email_enabled, in_app_enabled, types, quiet_hours)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb)
       ON CONFLICT (organization_id, user_id) DO UPDATE SET email_enabled = excluded.email_enabled,
         in_app_enabled = excluded.in_app_enabled, types = excluded.types, quiet_hours = excluded.quiet_hours, updated_at = now()`,
      [
        organizationId,
        userId,
        settings.email_enabled,
        settings.in_app_enabled,
        JSON.stringify(settings.preferences),
        settings.quiet_hours ? JSON.stringify(settings.quiet_hours) : null,
      ],
    );
  }

  private async read(
    em: EntityManager,
    pairs: Array<{ organizationId: string; userId: string }>,
  ): Promise<Array<StoredSettings & { organization_id: string; user_id: string }>> {
    if (!pairs.length) return [];
    return em.query(
      `SELECT p.organization_id, p.user_id,
              CASE WHEN np.user_id IS NOT NULL THEN json_build_object('email_enabled', np.email_enabled,
                   'in_app_enabled', np.in_app_enabled, 'preferences', np.types, 'quiet_hours', np.quiet_hours) END AS own,
              o.settings -> '${NOTIFICATION_DEFAULTS_SETTING}' AS defaults
         FROM unnest($1::uuid[], $2::uuid[]) AS p (organization_id, user_id)
         JOIN organizations o ON o.id = p.organization_id
         LEFT JOIN notification_preferences np ON np.organization_id = p.organization_id AND np.user_id = p.user_id`,
      [pairs.map((p) => p.organizationId), pairs.map((p) => p.userId)],
    );
  }
}

export const pairKey = (organizationId: string, userId: string) => `${organizationId}:${userId}`;

/**
 * Settings as the audit trail keeps them: types as a list, since the trail redacts fields whose names look secret
 * and a type's key (`security.api_key_created`) may.
 */
export function auditedSettings(settings: ChannelSettings | null | undefined): Record<string, unknown> | null {
  if (!settings) return null;
  return {
    email_enabled: settings.email_enabled,
    in_app_enabled: settings.in_app_enabled,
    types: Object.entries(settings.preferences)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([type, channels]) => ({ type, ...channels })),
    ...(settings.quiet_hours !== undefined ? { quiet_hours: settings.quiet_hours } : {}),
  };
}
