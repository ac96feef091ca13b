import type { NotificationChannel, NotificationType } from '@atrium/platform';

/** Quiet hours: local wall-clock times (`HH:MM`) in an IANA time zone; `end` before `start` spans midnight. */
export interface QuietHours {
  start: string;
  end: string;
  timezone: string;
}

/** What a user chose (or an organization set as its members' defaults): master switches and per-type channels. */
export interface ChannelSettings {
  email_enabled: boolean;
  in_app_enabled: boolean;
  preferences: Record<string, Partial<Record<NotificationChannel, boolean>>>;
  quiet_hours?: QuietHours | null;
}

/**
 * A type's own channels for one user, master switches aside: a security type always its defaults; otherwise what the
 * settings (the user's own, else the organization's defaults) say per channel, else the type's defaults.
 */
export function typeChannels(type: NotificationType, settings: ChannelSettings | undefined): Record<NotificationChannel, boolean> {
  if (type.required || !settings) return { ...type.defaults };
  const own = settings.preferences[type.key] ?? {};
  return { in_app: own.in_app ?? type.defaults.in_app, email: own.email ?? type.defaults.email };
}

/**
 * The channels a type goes out on for one user: a security type always on its default channels; otherwise the master
 * switch and the type's own choice, from the user's settings, else the organization's defaults, else the type's.
 */
export function chosenChannels(type: NotificationType, settings: ChannelSettings | undefined): Record<NotificationChannel, boolean> {
  const channels = typeChannels(type, settings);
  if (type.required || !settings) return channels;
  return { in_app: settings.in_app_enabled && channels.in_app, email: settings.email_enabled && channels.email };
}
