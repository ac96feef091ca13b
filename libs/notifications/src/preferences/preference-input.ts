import { type FieldProblem, NOTIFICATION_CHANNELS, type NotificationChannel, type NotificationType, PlatformError } from '@atrium/platform';
import { canonicalTimeZone } from '@atrium/organizations';
import { NotificationsError } from '../notifications.errors.js';
import type { ChannelSettings, QuietHours } from './channel-choice.js';
import { CLOCK_TIME } from './quiet-hours.js';

/** What is wrong with one field, and which code it answers with when it is the worst problem of a body. */
interface Problem {
  field: string;
  problem: string;
  kind: 'invalid' | 'unknown_type' | 'required';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads a preferences body (`PUT /notifications/preferences`, or an organization's defaults without `quiet_hours`)
 * into the settings to store, or throws one 400 naming every problem. The code is the worst kind present: a malformed
 * field `validation_failed`, else an unknown type `unknown_notification_types`, else a security type turned off
 * `notification_required`; `details` lists every problem either way. Security types' entries are not stored (they
 * always go out on their defaults).
 */
export function readChannelSettings(
  body: unknown,
  typeOf: (key: string) => NotificationType | undefined,
  opts: { quietHours: boolean },
): ChannelSettings {
  const problems: Problem[] = [];
  const invalid = (field: string, problem: string) => problems.push({ field, problem, kind: 'invalid' });
  if (!isObject(body)) {
    invalid('body', 'the body must be an object with email_enabled, in_app_enabled and preferences');
    throw refusal(problems);
  }
  const allowed = ['email_enabled', 'in_app_enabled', 'preferences', ...(opts.quietHours ? ['quiet_hours'] : [])];
  for (const key of Object.keys(body)) {
    if (allowed.includes(key)) continue;
    invalid(key, key === 'quiet_hours' ? 'quiet_hours are set by each member, not as an organization default' : `${key} is not a setting`);
  }
  for (const key of ['email_enabled', 'in_app_enabled'] as const) {
    if (typeof body[key] !== 'boolean') invalid(key, `${key} must be true or false`);
  }
  const preferences = readTypes(body.preferences, typeOf, problems);
  const quietHours = opts.quietHours ? readQuietHours(body.quiet_hours, invalid) : undefined;
  if (problems.length) throw refusal(problems);
  return {
    email_enabled: body.email_enabled as boolean,
    in_app_enabled: body.in_app_enabled as boolean,
    preferences,
    ...(opts.quietHours ? { quiet_hours: quietHours ?? null } : {}),
  };
}

function readTypes(
  value: unknown,
  typeOf: (key: string) => NotificationType | undefined,
  problems: Problem[],
): ChannelSettings['preferences'] {
  const chosen: ChannelSettings['preferences'] = {};
  if (value === undefined) return chosen;
  if (!isObject(value)) {
    problems.push({ field: 'preferences', problem: 'preferences must be an object of notification types', kind: 'invalid' });
    return chosen;
  }
  for (const [key, entry] of Object.entries(value)) {
    const field = `preferences.${key}`;
    const type = typeOf(key);
    if (!type) {
      problems.push({ field, problem: `${key} is not a notification type`, kind: 'unknown_type' });
      continue;
    }
    if (!isObject(entry)) {
      problems.push({ field, problem: `${field} must be an object with email and/or in_app`, kind: 'invalid' });
      continue;
    }
    const channels: Partial<Record<NotificationChannel, boolean>> = {};
    for (const [channel, on] of Object.entries(entry)) {
      const at = `${field}.${channel}`;
      if (!(NOTIFICATION_CHANNELS as readonly string[]).includes(channel)) {
        problems.push({
          field: at,
          problem: `${channel} is not a channel (channels: ${NOTIFICATION_CHANNELS.join(', ')})`,
          kind: 'invalid',
        });
      } else if (typeof on !== 'boolean') {
        problems.push({ field: at, problem: `${at} must be true or false`, kind: 'invalid' });
      } else if (type.required && on !== type.defaults[channel as NotificationChannel]) {
        problems.push({
          field: at,
          problem: on
            ? `${key} is a security notification: its channels cannot be changed`
            : `${key} is a security notification and cannot be turned off`,
          kind: on ? 'invalid' : 'required',
        });
      } else {
        channels[channel as NotificationChannel] = on;
      }
    }
    if (!type.required && Object.keys(channels).length) chosen[key] = channels;
  }
  return chosen;
}

function readQuietHours(value: unknown, invalid: (field: string, problem: string) => void): QuietHours | null {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) {
    invalid('quiet_hours', 'quiet_hours must be an object with start, end and timezone, or null');
    return null;
  }
  for (const key of Object.keys(value)) {
    if (!['start', 'end', 'timezone'].includes(key)) invalid(`quiet_hours.${key}`, `${key} is not part of quiet hours`);
  }
  const times: string[] = [];
  for (const key of ['start', 'end'] as const) {
    const v = value[key];
    if (typeof v === 'string' && CLOCK_TIME.test(v)) times.push(v);
    else invalid(`quiet_hours.${key}`, `quiet_hours.${key} must be a time from 00:00 to 23:59 (HH:MM)`);
  }
  if (times.length === 2 && times[0] === times[1]) invalid('quiet_hours.end', 'quiet_hours.end must differ from quiet_hours.start');
  const timezone = canonicalTimeZone(value.timezone);
  if (!timezone) invalid('quiet_hours.timezone', 'quiet_hours.timezone must be an IANA time zone such as Europe/Berlin');
  // Any problem above refuses the whole body, so what is returned matters only when all is well.
  return times.length === 2 && timezone ? { start: times[0], end: times[1], timezone } : null;
}

function refusal(problems: Problem[]) {
  const fields = new Map<string, string[]>();
  for (const p of problems) fields.set(p.field, [...(fields.get(p.field) ?? []), p.problem]);
  const details: FieldProblem[] = [...fields].map(([field, list]) => ({ field, problems: list }));
  const message = problems.map((p) => p.problem).join('; ');
  if (problems.some((p) => p.kind === 'invalid')) return PlatformError.validation_failed(message, details);
  if (problems.some((p) => p.kind === 'unknown_type')) return NotificationsError.unknown_notification_types(message, details);
  return NotificationsError.notification_required(message, details);
}
