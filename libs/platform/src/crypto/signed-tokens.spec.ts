import { createHmac, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SignedTokens } from './signed-tokens.js';

const KEY = Buffer.alloc(32, 0x5a);
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const opts = { prefix: 't1.', keyInfo: 'atrium/test-tokens', maxLength: 200 };
const payload = { who: 'ann', n: 42, at: [1, 2, 3] };

const tokens = new SignedTokens(KEY, opts);
const token = tokens.sign(payload);
const [, body] = token.split('.');

/** `<prefix><payload>.<mac>` with a MAC made as the documented format says, over whatever payload text is given. */
function handMade(prefix: string, payloadText: string, keyInfo = opts.keyInfo): string {
  const key = Buffer.from(hkdfSync('sha256', KEY, Buffer.alloc(0), keyInfo, 32));
  const signed = prefix + Buffer.from(payloadText, 'utf8').toString('base64url');
  return `${signed}.${createHmac('sha256', key).update(signed, 'latin1').digest('base64url')}`;
}

describe('SignedTokens', () => {
  it('reads back what it signed, from a URL-safe `<prefix><payload>.<mac>` token in the documented format', () => {
    expect(token).toMatch(/^t1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(tokens.verify(token)).toEqual(payload);
    expect(token).toBe(handMade('t1.', JSON.stringify(payload)));
  });

  it('refuses a token with any one character of its payload or MAC changed', () => {
    for (let i = opts.prefix.length; i < token.length; i++) {
      if (token[i] === '.') continue;
      const other = BASE64URL[(BASE64URL.indexOf(token[i]) + 1) % BASE64URL.length];
      expect(tokens.verify(token.slice(0, i) + other + token.slice(i + 1)), `position ${i}`).toBeNull();
    }
  });

  it('refuses every other spelling of the MAC, even one whose last character decodes to the same bytes', () => {
    // 32 bytes in 43 base64url characters leave 2 spare bits in the last one: 3 other characters decode alike.
    for (const c of BASE64URL.replace(token.at(-1)!, '')) {
      expect(tokens.verify(token.slice(0, -1) + c), c).toBeNull();
    }
  });

  it('refuses a truncated or extended token', () => {
    for (const bad of [
      token.slice(0, -1),
      token.slice(0, -43),
      token.slice(0, token.lastIndexOf('.')),
      token.slice(0, 10),
      `${token}A`,
      `${token}.`,
      `${token.slice(0, token.lastIndexOf('.'))}A${token.slice(token.lastIndexOf('.'))}`,
    ]) {
      expect(tokens.verify(bad), bad).toBeNull();
    }
  });

  it('refuses a token another key signed, and one signed for another use (key info) with the same key', () => {
    expect(new SignedTokens(Buffer.alloc(32, 0x11), opts).verify(token)).toBeNull();
    const otherUse = new SignedTokens(KEY, { ...opts, keyInfo: 'atrium/other-use' });
    expect(otherUse.verify(token)).toBeNull();
    expect(tokens.verify(otherUse.sign(payload))).toBeNull();
  });

  it('refuses another prefix: a token of another kind, and this token with its prefix swapped (the MAC covers it)', () => {
    const otherKind = new SignedTokens(KEY, { ...opts, prefix: 'q1.' });
    expect(tokens.verify(otherKind.sign(payload))).toBeNull();
    expect(otherKind.verify(token)).toBeNull();
    expect(otherKind.verify(`q1.${token.slice(opts.prefix.length)}`)).toBeNull();
    expect(tokens.verify(`T1.${token.slice(opts.prefix.length)}`)).toBeNull();
    expect(tokens.verify(token.slice(opts.prefix.length))).toBeNull();
  });

  it('refuses a token longer than its maximum, and will not sign one', () => {
    const roomy = new SignedTokens(KEY, { ...opts, maxLength: 1000 });
    const long = roomy.sign({ text: 'x'.repeat(300) });
    expect(roomy.verify(long)).toEqual({ text: 'x'.repeat(300) });
    expect(long.length).toBeGreaterThan(opts.maxLength);
    expect(tokens.verify(long)).toBeNull();
    expect(() => tokens.sign({ text: 'x'.repeat(300) })).toThrow(/over 200/);
  });

  it('refuses a correctly signed payload that is not JSON, and anything that is not a token', () => {
    expect(tokens.verify(handMade('t1.', 'not json {'))).toBeNull();
    expect(tokens.verify(handMade('t1.', JSON.stringify(payload)))).toEqual(payload);
    for (const bad of ['', 't1.', 't1..', `t1.${body}`, `t1.${body}.`, undefined, null, 42, [token], { token }]) {
      expect(tokens.verify(bad)).toBeNull();
    }
  });

  it('will not start with a short key or a prefix that is not letters and digits then a dot', () => {
    expect(() => new SignedTokens(Buffer.alloc(31), opts)).toThrow(/at least 32 bytes/);
    for (const prefix of ['t1', 'T1.', '1t.', 't.1.', 't-1.', '.']) {
      expect(() => new SignedTokens(KEY, { ...opts, prefix }), prefix).toThrow(/is not <letters>\./);
    }
  });
});
