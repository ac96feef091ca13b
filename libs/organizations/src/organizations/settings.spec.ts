import { describe, expect, it } from 'vitest';
import { canonicalLocale, canonicalTimeZone, DEFAULT_SETTINGS, resolveSettings } from './settings.js';

describe('organization settings', () => {
  it('resolves stored values over the defaults and drops what does not belong', () => {
    expect(resolveSettings(null)).toEqual(DEFAULT_SETTINGS);
    expect(resolveSettings({ timezone: 'Europe/Berlin', mfa_required: 'yes', week_starts_on: 'friday', theme: 'dark' })).toEqual({
      ...DEFAULT_SETTINGS,
      timezone: 'Europe/Berlin',
    });
  });

  it('canonicalizes IANA time zones and refuses unknown ones', () => {
    expect(canonicalTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('utc')).toBe('UTC');
    expect(canonicalTimeZone('America/New_York')).toBe('America/New_York');
    for (const bad of ['Mars/Olympus', '', 'Europe/Berlin; DROP', 42, null]) expect(canonicalTimeZone(bad)).toBeUndefined();
  });

  it('canonicalizes supported BCP 47 locales and refuses others', () => {
    expect(canonicalLocale('de_de')).toBe('de-DE');
    expect(canonicalLocale('en')).toBe('en');
    expect(canonicalLocale('pt-br')).toBe('pt-BR');
    for (const bad of ['english', 'zz', 'e', '', 'en--US', 7]) expect(canonicalLocale(bad)).toBeUndefined();
  });
});
