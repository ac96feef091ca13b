import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DomainError, loadConfig } from '@atrium/platform';
import { AccessTokenService } from './access-token.service.js';

const SECRET = 'k'.repeat(48);
const NOW = 1_800_000_000; // seconds
const CLAIMS = { sub: 'user-1', sid: 'session-1', org: 'org-1' };

const config = (secret = SECRET) =>
  loadConfig({ JWT_SECRET: secret, ENCRYPTION_KEY: 'ab'.repeat(32), DATA_DIR: '/nonexistent', JWT_ACCESS_TTL_SECONDS: '900' });

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** A JWS built by hand (not by the library under test), HMAC-signed with `secret` and `hash`. */
function forge(header: object, payload: object, hash: 'sha256' | 'sha512' = 'sha256', secret = SECRET): string {
  const signed = `${b64(header)}.${b64(payload)}`;
  return `${signed}.${createHmac(hash, secret).update(signed).digest('base64url')}`;
}

/** What the service issues: HS256, `typ: at+jwt`, issuer and audience, iat/exp. */
const HEADER = { alg: 'HS256', typ: 'at+jwt' };
const payload = (over: object = {}) => ({ ...CLAIMS, iss: 'atrium', aud: 'atrium-api', iat: NOW, exp: NOW + 900, ...over });

function refusal(tokens: AccessTokenService, token: string): string | undefined {
  try {
    tokens.verify(token);
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).kind).toBe('unauthorized');
    return (e as DomainError).code;
  }
}

describe('AccessTokenService', () => {
  let tokens: AccessTokenService;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW * 1000);
    tokens = new AccessTokenService(config());
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('accepts its own token and returns its claims; the token names issuer, audience and type', () => {
    const token = tokens.sign(CLAIMS);
    expect(tokens.verify(token)).toEqual(CLAIMS);
    expect(tokens.verify(token)).toEqual(CLAIMS); // served from the verifier cache the second time
    const [header, body] = token
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as unknown);
    expect(header).toEqual({ alg: 'HS256', typ: 'at+jwt' });
    expect(body).toEqual({ ...CLAIMS, iss: 'atrium', aud: 'atrium-api', iat: NOW, exp: NOW + 900 });
    expect(tokens.verify(forge(HEADER, payload()))).toEqual(CLAIMS);
  });

  it('refuses other algorithms: none, HS512 with the right key, and an RS256 header over an HMAC', () => {
    const none = `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(payload())}.`;
    expect(refusal(tokens, none)).toBe('invalid_token');
    expect(refusal(tokens, forge({ alg: 'HS512', typ: 'at+jwt' }, payload(), 'sha512'))).toBe('invalid_token');
    expect(refusal(tokens, forge({ alg: 'RS256', typ: 'at+jwt' }, payload()))).toBe('invalid_token');
  });

  it('refuses a wrong or missing issuer, audience or type', () => {
    expect(refusal(tokens, forge(HEADER, payload({ iss: 'someone-else' })))).toBe('invalid_token');
    expect(refusal(tokens, forge(HEADER, payload({ aud: 'another-api' })))).toBe('invalid_token');
    expect(refusal(tokens, forge(HEADER, payload({ aud: ['another-api'] })))).toBe('invalid_token');
    expect(refusal(tokens, forge({ alg: 'HS256', typ: 'JWT' }, payload()))).toBe('invalid_token');
    expect(refusal(tokens, forge({ alg: 'HS256' }, payload()))).toBe('invalid_token');
    const { iss: _iss, ...noIssuer } = payload();
    const { aud: _aud, ...noAudience } = payload();
    expect(refusal(tokens, forge(HEADER, noIssuer))).toBe('invalid_token');
    expect(refusal(tokens, forge(HEADER, noAudience))).toBe('invalid_token');
    // A token of the previous format (typ JWT, no issuer or audience) is refused: those lived 15 minutes.
    expect(refusal(tokens, forge({ alg: 'HS256', typ: 'JWT' }, { ...CLAIMS, iat: NOW, exp: NOW + 900 }))).toBe('invalid_token');
  });

  it('answers token_expired for an authentic expired token, also after it was cached as valid', () => {
    const token = tokens.sign(CLAIMS);
    expect(tokens.verify(token)).toEqual(CLAIMS);
    vi.setSystemTime((NOW + 899) * 1000);
    expect(tokens.verify(token)).toEqual(CLAIMS);
    vi.setSystemTime((NOW + 901) * 1000);
    expect(refusal(tokens, token)).toBe('token_expired');
    // Expiry is only reported for authentic tokens.
    expect(refusal(tokens, forge(HEADER, payload({ exp: NOW - 10 }), 'sha256', 'o'.repeat(48)))).toBe('invalid_token');
  });

  it('refuses a token that is not valid yet, or has no expiry', () => {
    expect(refusal(tokens, forge(HEADER, payload({ nbf: NOW + 30 })))).toBe('invalid_token');
    expect(tokens.verify(forge(HEADER, payload({ nbf: NOW })))).toEqual(CLAIMS);
    const { exp: _exp, ...noExpiry } = payload();
    expect(refusal(tokens, forge(HEADER, noExpiry))).toBe('invalid_token');
    expect(refusal(tokens, forge(HEADER, payload({ exp: String(NOW + 60) })))).toBe('invalid_token');
  });

  it('refuses a tampered signature or payload, another key, and claims of the wrong shape', () => {
    const token = tokens.sign(CLAIMS);
    const [h, p, s] = token.split('.');
    const flipped = `${s.slice(0, -2)}${s.at(-2) === 'A' ? 'B' : 'A'}${s.at(-1)}`;
    expect(refusal(tokens, `${h}.${p}.${flipped}`)).toBe('invalid_token');
    expect(refusal(tokens, `${h}.${b64(payload({ sub: 'user-2' }))}.${s}`)).toBe('invalid_token');
    expect(refusal(tokens, new AccessTokenService(config('o'.repeat(48))).sign(CLAIMS))).toBe('invalid_token');
    expect(refusal(tokens, forge(HEADER, payload({ sid: 42 })))).toBe('invalid_token');
    expect(refusal(tokens, forge(HEADER, payload({ org: undefined })))).toBe('invalid_token');
    for (const junk of ['', 'garbage', 'a.b', 'a.b.c', `${token}.${s}`, `${h}.${p}.${s}${'A'.repeat(5000)}`]) {
      expect(refusal(tokens, junk), junk.slice(0, 40)).toBe('invalid_token');
    }
  });
});
