import { createHmac, createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { signHs256, verifyHs256 } from './hs256.js';

const key = createSecretKey(Buffer.from('k'.repeat(48)));
const otherKey = createSecretKey(Buffer.from('o'.repeat(48)));
const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const NOW = 1_800_000_000;

describe('HS256 access tokens', () => {
  it('verifies its own tokens, and interoperates with jsonwebtoken both ways', () => {
    const token = signHs256({ sub: 'u1', sid: 's1' }, key, 900, NOW);
    expect(verifyHs256(token, key, NOW + 899)).toEqual({ ok: true, claims: { sub: 'u1', sid: 's1', iat: NOW, exp: NOW + 900 } });
    expect(jwt.verify(token, key, { algorithms: ['HS256'], clockTimestamp: NOW })).toMatchObject({ sub: 'u1', exp: NOW + 900 });
    const theirs = jwt.sign({ sub: 'u2', iat: NOW }, key, { algorithm: 'HS256', expiresIn: 60 });
    expect(verifyHs256(theirs, key, NOW + 10)).toMatchObject({ ok: true, claims: { sub: 'u2' } });
  });

  it('reports expiry only for authentic tokens, from the second exp is reached', () => {
    const token = signHs256({ sub: 'u1' }, key, 60, NOW);
    expect(verifyHs256(token, key, NOW + 60)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyHs256(token, otherKey, NOW + 60)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses tampered, foreign, unsigned and malformed tokens', () => {
    const token = signHs256({ sub: 'u1' }, key, 60, NOW);
    const [h, p, s] = token.split('.');
    const refused = [
      `${h}.${b64({ sub: 'admin', iat: NOW, exp: NOW + 60 })}.${s}`,
      `${h}.${p}.${s.slice(0, -2)}AA`,
      `${h}.${p}.${s}=`,
      `${h}.${p}.${s}.extra`,
      `${h}.${p}`,
      signHs256({ sub: 'u1' }, otherKey, 60, NOW),
      `${b64({ alg: 'none', typ: 'JWT' })}.${p}.`,
      jwt.sign({ sub: 'u1' }, key, { algorithm: 'HS512' }),
      jwt.sign({ sub: 'u1' }, key, { algorithm: 'HS256', keyid: 'k1' }),
      '',
      'not.a.jwt',
      `${h}.${'A'.repeat(5000)}.${s}`,
    ];
    for (const t of refused) expect(verifyHs256(t, key, NOW), t.slice(0, 60)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses authentic tokens without a numeric exp, with a payload that is not an object, or not yet valid', () => {
    const header = signHs256({}, key, 1, NOW).split('.')[0];
    const sign = (payload: unknown) => {
      const signed = `${header}.${b64(payload)}`;
      return `${signed}.${createHmac('sha256', key).update(signed).digest('base64url')}`;
    };
    expect(verifyHs256(sign({ sub: 'u1' }), key, NOW)).toEqual({ ok: false, reason: 'invalid' });
    expect(verifyHs256(sign({ sub: 'u1', exp: String(NOW + 60) }), key, NOW)).toEqual({ ok: false, reason: 'invalid' });
    expect(verifyHs256(sign([1, 2]), key, NOW)).toEqual({ ok: false, reason: 'invalid' });
    expect(verifyHs256(sign('a string'), key, NOW)).toEqual({ ok: false, reason: 'invalid' });
    expect(verifyHs256(sign({ sub: 'u1', exp: NOW + 60, nbf: NOW + 30 }), key, NOW)).toEqual({ ok: false, reason: 'invalid' });
    expect(verifyHs256(sign({ sub: 'u1', exp: NOW + 60, nbf: NOW }), key, NOW)).toMatchObject({ ok: true });
  });
});
