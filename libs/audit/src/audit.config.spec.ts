import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@atrium/platform';
import { loadAuditConfig } from './audit.config.js';

const appIn = (NODE_ENV: string) =>
  loadConfig({
    NODE_ENV,
    JWT_SECRET: 'x'.repeat(32),
    ENCRYPTION_KEY: '7f'.repeat(32),
    SMTP_URL: 'smtp://127.0.0.1:2525',
    CORS_ORIGINS: 'https://app.example.test',
    DATA_DIR: '/tmp/atrium-audit-spec',
  });

describe('audit settings', () => {
  it('write entries unless the bench baseline turns them off outside production', () => {
    expect(loadAuditConfig(appIn('development'), {}).writesDisabled).toBe(false);
    expect(loadAuditConfig(appIn('development'), { AUDIT_WRITES_DISABLED_FOR_BENCH: 'true' }).writesDisabled).toBe(true);
    expect(loadAuditConfig(appIn('test'), { AUDIT_WRITES_DISABLED_FOR_BENCH: '0' }).writesDisabled).toBe(false);
  });

  it('refuse to start in production with auditing turned off, and refuse a value that is not a boolean', () => {
    expect(() => loadAuditConfig(appIn('production'), { AUDIT_WRITES_DISABLED_FOR_BENCH: 'true' })).toThrow(ConfigError);
    expect(() => loadAuditConfig(appIn('production'), { AUDIT_WRITES_DISABLED_FOR_BENCH: 'true' })).toThrow(
      /AUDIT_WRITES_DISABLED_FOR_BENCH: not allowed in production/,
    );
    expect(loadAuditConfig(appIn('production'), {}).writesDisabled).toBe(false);
    expect(() => loadAuditConfig(appIn('development'), { AUDIT_WRITES_DISABLED_FOR_BENCH: 'sometimes' })).toThrow(
      /AUDIT_WRITES_DISABLED_FOR_BENCH/,
    );
  });
});
