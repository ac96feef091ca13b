import { DEFAULT_MEMBER_ROLE } from '../roles/permissions.js';

export const WEEK_STARTS = ['monday', 'sunday', 'saturday'] as const;
export type WeekStart = (typeof WEEK_STARTS)[number];

/** An organization's settings, every key resolved (stored values over defaults). */
export interface OrganizationSettings {
  /** IANA time zone used for dates shown to members and for scheduled work. */
  timezone: string;
  /** BCP 47 locale for mails and formatting. */
  locale: string;
  /** Slug of the role new members get when none is named (users created directly, invitations). */
  default_role: string;
  /** Members must turn on two-factor authentication. */
  mfa_required: boolean;
  week_starts_on: WeekStart;
}

export const DEFAULT_SETTINGS: Readonly<OrganizationSettings> = {
  timezone: 'UTC',
  locale: 'en',
  default_role: DEFAULT_MEMBER_ROLE,
  mfa_required: false,
  week_starts_on: 'monday',
};

const str = (v: unknown, fallback: string) => (typeof v === 'string' && v ? v : fallback);

/** The stored JSON read defensively: unknown keys dropped, wrong types replaced by the defaults. */
export function resolveSettings(stored: Record<string, unknown> | null | undefined): OrganizationSettings {
  const s = stored ?? {};
  return {
    timezone: str(s.timezone, DEFAULT_SETTINGS.timezone),
    locale: str(s.locale, DEFAULT_SETTINGS.locale),
    default_role: str(s.default_role, DEFAULT_SETTINGS.default_role),
    mfa_required: typeof s.mfa_required === 'boolean' ? s.mfa_required : DEFAULT_SETTINGS.mfa_required,
    week_starts_on: WEEK_STARTS.includes(s.week_starts_on as WeekStart) ? (s.week_starts_on as WeekStart) : DEFAULT_SETTINGS.week_starts_on,
  };
}

/** The canonical spelling of a supported locale (`en-us` → `en-US`), or undefined when it is not one. */
export function canonicalLocale(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/.test(value)) return undefined;
  try {
    const [canonical] = Intl.getCanonicalLocales(value.replace(/_/g, '-'));
    return Intl.DateTimeFormat.supportedLocalesOf([canonical], { localeMatcher: 'lookup' }).length ? canonical : undefined;
  } catch {
    return undefined;
  }
}

const IANA_ZONES = new Map(Intl.supportedValuesOf('timeZone').map((z) => [z.toLowerCase(), z]));

/** The IANA name of a time zone in its canonical case (`europe/berlin` → `Europe/Berlin`), or undefined when unknown. */
export function canonicalTimeZone(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^[A-Za-z][A-Za-z0-9_+\-/]{1,63}$/.test(value)) return undefined;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
  } catch {
    return undefined;
  }
  return IANA_ZONES.get(value.toLowerCase()) ?? (value.toLowerCase() === 'utc' ? 'UTC' : value);
}
