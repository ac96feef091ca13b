import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@atrium/platform';
import { loadAccessRetentionConfig } from './access-retention.config.js';

const app = loadConfig({
  NODE_ENV: 'test',
  JWT_SECRET: 'x'.repeat(32),
  ENCRYPTION_KEY: '7f'.repeat(32),
  DATA_DIR: '/tmp/atrium-access-spec',
});

describe('access retention settings', () => {
  it('default to 30 days for ended sessions and spent tokens and a year for unseen devices', () => {
    expect(loadAccessRetentionConfig(app, {})).toEqual({ sessionDays: 30, knownSignInDays: 365 });
    expect(loadAccessRetentionConfig(app, { SESSION_RETENTION_DAYS: '7', KNOWN_SIGN_IN_RETENTION_DAYS: '90' })).toEqual({
      sessionDays: 7,
      knownSignInDays: 90,
    });
  });

  it('refuses bad values at boot, naming every variable', () => {
    let error: unknown;
    try {
      loadAccessRetentionConfig(app, { SESSION_RETENTION_DAYS: '0', KNOWN_SIGN_IN_RETENTION_DAYS: 'forever' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/SESSION_RETENTION_DAYS/);
    expect((error as Error).message).toMatch(/KNOWN_SIGN_IN_RETENTION_DAYS/);
    for (const bad of [{ SESSION_RETENTION_DAYS: '1.5' }, { SESSION_RETENTION_DAYS: '5000' }, { KNOWN_SIGN_IN_RETENTION_DAYS: '-1' }]) {
      expect(() => loadAccessRetentionConfig(app, bad)).toThrow(ConfigError);
    }
  });
});
