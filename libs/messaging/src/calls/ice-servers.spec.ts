import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, TestClock } from '@atrium/platform';
import { loadCallsConfig } from './calls.config.js';
import { IceServers, turnCredential } from './ice-servers.js';

const app = loadConfig({
  NODE_ENV: 'test',
  JWT_SECRET: 'x'.repeat(32),
  ENCRYPTION_KEY: '7f'.repeat(32),
  DATA_DIR: '/tmp/atrium-calls-spec',
});

describe('TURN REST API credentials', () => {
  it('sign `<expiry>:<user id>` with HMAC-SHA1 of the shared secret, base64 (vector from openssl dgst -sha1 -hmac)', () => {
    expect(turnCredential('coturn-shared-secret-0001', '3f0c5a4e-7c1b-4d2a-9e8f-0123456789ab', 1700003600)).toEqual({
      username: '1700003600:3f0c5a4e-7c1b-4d2a-9e8f-0123456789ab',
      credential: 'E2QsD3tWFukZ9W8TfyOyT4PLrSQ=',
    });
  });

  it('expire TURN_TTL_SECONDS from now, after STUN', () => {
    const config = loadCallsConfig(app, {
      STUN_URLS: 'stun:stun.example.test:3478',
      TURN_URLS: 'turn:turn.example.test:3478?transport=udp, turns:turn.example.test:5349',
      TURN_SECRET: 'coturn-shared-secret-0001',
      TURN_TTL_SECONDS: '600',
    });
    const ice = new IceServers(config, new TestClock(new Date(1_700_000_000_000)));
    const { iceServers, ttl_seconds } = ice.for('3f0c5a4e-7c1b-4d2a-9e8f-0123456789ab');
    expect(ttl_seconds).toBe(600);
    expect(iceServers).toEqual([
      { urls: ['stun:stun.example.test:3478'] },
      {
        urls: ['turn:turn.example.test:3478?transport=udp', 'turns:turn.example.test:5349'],
        ...turnCredential('coturn-shared-secret-0001', '3f0c5a4e-7c1b-4d2a-9e8f-0123456789ab', 1_700_000_600),
      },
    ]);
  });
});

describe('calls config', () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadCallsConfig(app, env);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error('config accepted');
  };

  it('refuses TURN_URLS without TURN_SECRET, naming the variable', () => {
    expect(problems({ TURN_URLS: 'turn:turn.example.test:3478' })).toMatch(/TURN_SECRET: required when TURN_URLS is set/);
  });

  it('names every bad setting and never echoes the secret', () => {
    const message = problems({
      STUN_URLS: 'http://stun.example.test',
      TURN_URLS: 'turn:ok.example.test,udp://bad',
      TURN_SECRET: 'short-secret',
      CALL_RING_TIMEOUT_SECONDS: '0',
      CALL_RECONNECT_GRACE_SECONDS: 'soon',
    });
    for (const name of ['STUN_URLS', 'TURN_URLS', 'TURN_SECRET', 'CALL_RING_TIMEOUT_SECONDS', 'CALL_RECONNECT_GRACE_SECONDS']) {
      expect(message).toContain(`${name}:`);
    }
    expect(message).not.toContain('short-secret');
  });

  it('defaults: 45 s ring, 30 s grace, STUN only', () => {
    expect(loadCallsConfig(app, {})).toMatchObject({ ringTimeoutSeconds: 45, reconnectGraceSeconds: 30, turn: null });
  });
});
