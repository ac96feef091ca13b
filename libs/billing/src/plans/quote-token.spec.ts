import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QUOTE_TOKEN_MAX_LENGTH, QUOTE_TOKEN_PATTERN, type QuoteClaims, QuoteTokens, termsFingerprint } from './quote-token.js';

const key = randomBytes(32);
const tokens = new QuoteTokens(key);
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const terms = {
  package_id: 2,
  status: 'active',
  current_period_start: new Date('2027-03-01T00:00:00.000Z'),
  current_period_end: new Date('2027-04-01T00:00:00.000Z'),
  amount_minor: '1900',
  currency: 'USD',
};

const claims = (over: Partial<QuoteClaims> = {}): QuoteClaims => ({
  id: randomUUID(),
  organizationId: randomUUID(),
  packageId: 3,
  period: '1_year',
  customMonths: null,
  listMinor: 49000,
  creditMinor: 1234,
  dueMinor: 47766,
  currency: 'USD',
  periodStart: new Date('2027-03-11T00:00:01.123Z'),
  periodEnd: new Date('2028-03-11T00:00:01.123Z'),
  expiresAt: new Date('2027-03-11T00:30:01.123Z'),
  terms: termsFingerprint(terms),
  ...over,
});

const arbClaims: fc.Arbitrary<QuoteClaims> = fc.record({
  id: fc.uuid({ version: 4 }),
  organizationId: fc.uuid({ version: 4 }),
  packageId: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  period: fc.constantFrom('1_month', '3_months', '6_months', '1_year', 'custom'),
  customMonths: fc.option(fc.integer({ min: 1, max: 36 }), { nil: null }),
  listMinor: fc.maxSafeNat(),
  creditMinor: fc.maxSafeNat(),
  dueMinor: fc.maxSafeNat(),
  currency: fc.constantFrom('USD', 'EUR', 'JPY', 'KWD', 'IQD'),
  periodStart: fc.date({ min: new Date('2000-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }),
  periodEnd: fc.date({ min: new Date('2000-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }),
  expiresAt: fc.date({ min: new Date('2000-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }),
  terms: fc.constant(termsFingerprint(terms)),
});

/** The token with the character at `i` replaced by another base64url character. */
const replaceAt = (token: string, i: number, pick: number) => {
  const others = BASE64URL.replace(token[i], '');
  return token.slice(0, i) + others[pick % others.length] + token.slice(i + 1);
};

describe('QuoteTokens', () => {
  it('round-trips every figure, and the token has the documented shape and size', () => {
    const c = claims({ period: 'custom', customMonths: 7 });
    const token = tokens.sign(c);
    expect(token).toMatch(QUOTE_TOKEN_PATTERN);
    expect(token.startsWith('q1.')).toBe(true);
    expect(token.length).toBeLessThanOrEqual(QUOTE_TOKEN_MAX_LENGTH);
    expect(tokens.verify(token)).toEqual(c);
  });

  it('round-trips any quote, within the length cap (property)', () => {
    fc.assert(
      fc.property(arbClaims, (c) => {
        const token = tokens.sign(c);
        expect(token.length).toBeLessThanOrEqual(QUOTE_TOKEN_MAX_LENGTH);
        expect(tokens.verify(token)).toEqual(c);
      }),
    );
  });

  it('refuses a token with any one character of its payload or MAC changed', () => {
    const token = tokens.sign(claims());
    const first = token.indexOf('.') + 1;
    for (let i = first; i < token.length; i++) {
      if (token[i] === '.') continue;
      expect(tokens.verify(replaceAt(token, i, i)), `position ${i}`).toBeNull();
    }
  });

  it('refuses any single-character change, truncation or extension (property)', () => {
    fc.assert(
      fc.property(arbClaims, fc.nat(), fc.nat(), (c, at, pick) => {
        const token = tokens.sign(c);
        const i = at % token.length;
        const tampered = token[i] === '.' ? token.slice(0, i) + token.slice(i + 1) : replaceAt(token, i, pick);
        expect(tokens.verify(tampered)).toBeNull();
        expect(tokens.verify(token.slice(0, -1))).toBeNull();
        expect(tokens.verify(`${token}A`)).toBeNull();
      }),
    );
  });

  it('refuses a payload re-signed with the right shape but changed figures (a client cannot lower the price)', () => {
    const token = tokens.sign(claims());
    const [prefix, payload, mac] = token.split('.');
    const body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    body.due = 1;
    const forged = `${prefix}.${Buffer.from(JSON.stringify(body)).toString('base64url')}.${mac}`;
    expect(forged).toMatch(QUOTE_TOKEN_PATTERN);
    expect(tokens.verify(forged)).toBeNull();
  });

  it('refuses a token signed with another key', () => {
    const token = new QuoteTokens(randomBytes(32)).sign(claims());
    expect(tokens.verify(token)).toBeNull();
    expect(new QuoteTokens(key).verify(tokens.sign(claims()))).not.toBeNull();
  });

  it('refuses malformed input without throwing', () => {
    for (const bad of [
      '',
      'q1',
      'q1..',
      randomUUID(),
      `q2.${'A'.repeat(40)}.${'A'.repeat(43)}`,
      `q1.${'A'.repeat(40)}.${'A'.repeat(42)}`,
      `q1.${'A'.repeat(600)}.${'A'.repeat(43)}`,
      `q1.e30.${'A'.repeat(43)}`,
    ]) {
      expect(tokens.verify(bad)).toBeNull();
    }
  });
});

describe('termsFingerprint', () => {
  it('changes with each term the credit depends on, and ignores what is below a millisecond', () => {
    const base = termsFingerprint(terms);
    expect(termsFingerprint({ ...terms, amount_minor: 1900 })).toBe(base);
    expect(termsFingerprint({ ...terms, current_period_end: new Date(terms.current_period_end.getTime()) })).toBe(base);
    for (const changed of [
      { package_id: 3 },
      { status: 'past_due' },
      { current_period_start: new Date(terms.current_period_start.getTime() + 1) },
      { current_period_end: new Date(terms.current_period_end.getTime() - 1) },
      { current_period_end: null },
      { amount_minor: '2900' },
      { currency: 'EUR' },
    ]) {
      expect(termsFingerprint({ ...terms, ...changed }), JSON.stringify(changed)).not.toBe(base);
    }
  });
});
