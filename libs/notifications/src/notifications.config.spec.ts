import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@atrium/platform';
import { loadNotificationsConfig } from './notifications.config.js';

const app = loadConfig({
  NODE_ENV: 'test',
  JWT_SECRET: 'x'.repeat(32),
  ENCRYPTION_KEY: '7f'.repeat(32),
  DATA_DIR: '/tmp/atrium-notifications-spec',
  PUBLIC_URL: 'https://atrium.example.test',
});

describe('notifications settings', () => {
  it('default to a 15-minute digest window and 90 days of read notifications, and take fractions of a minute', () => {
    expect(loadNotificationsConfig(app, {})).toEqual({ digestMinutes: 15, retentionDays: 90, publicUrl: 'https://atrium.example.test' });
    expect(loadNotificationsConfig(app, { NOTIFICATION_DIGEST_MINUTES: '0.05', NOTIFICATION_RETENTION_DAYS: '30' })).toMatchObject({
      digestMinutes: 0.05,
      retentionDays: 30,
    });
  });

  it('refuses bad values at boot, naming every variable', () => {
    let error: unknown;
    try {
      loadNotificationsConfig(app, { NOTIFICATION_DIGEST_MINUTES: '0', NOTIFICATION_RETENTION_DAYS: '1.5' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/NOTIFICATION_DIGEST_MINUTES/);
    expect((error as Error).message).toMatch(/NOTIFICATION_RETENTION_DAYS/);
    for (const bad of [
      { NOTIFICATION_RETENTION_DAYS: 'ninety' },
      { NOTIFICATION_RETENTION_DAYS: '0' },
      { NOTIFICATION_DIGEST_MINUTES: 'soon' },
    ]) {
      expect(() => loadNotificationsConfig(app, bad)).toThrow(ConfigError);
    }
  });
});
