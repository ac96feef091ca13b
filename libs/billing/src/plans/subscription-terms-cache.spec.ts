import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { termsFingerprint } from './quote-token.js';
import { SubscriptionTermsCache } from './subscription-terms-cache.js';

const terms = (amount: string) => ({
  package_id: 2,
  status: 'active',
  current_period_start: new Date('2027-03-01T00:00:00.000Z'),
  current_period_end: new Date('2027-04-01T00:00:00.000Z'),
  amount_minor: amount,
  currency: 'USD',
});

describe('SubscriptionTermsCache', () => {
  it('serves terms only at the version they were read at, with their fingerprint', () => {
    const cache = new SubscriptionTermsCache();
    const org = randomUUID();
    const kept = cache.set(org, '7', terms('1900'));
    expect(kept.fingerprint).toBe(termsFingerprint(terms('1900')));
    expect(cache.get(org, '7')).toEqual(kept);
    expect(cache.get(randomUUID(), '7')).toBeUndefined();
    expect(cache.get(org, '8')).toBeUndefined();
    // Read at another version: gone for good, even for a request that still read the old one.
    expect(cache.get(org, '7')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps the terms read last for an organization', () => {
    const cache = new SubscriptionTermsCache();
    const org = randomUUID();
    cache.set(org, '1', terms('1900'));
    cache.set(org, '2', terms('2900'));
    expect(cache.get(org, '1')).toBeUndefined();
    cache.set(org, '2', terms('2900'));
    expect(cache.get(org, '2')?.terms.amount_minor).toBe('2900');
    expect(cache.size).toBe(1);
  });

  it('is bounded: the least recently used organization goes first', () => {
    const cache = new SubscriptionTermsCache(2);
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    cache.set(a, '1', terms('100'));
    cache.set(b, '1', terms('200'));
    expect(cache.get(a, '1')).toBeDefined(); // a is now the most recently used
    cache.set(c, '1', terms('300'));
    expect(cache.size).toBe(2);
    expect(cache.get(b, '1')).toBeUndefined();
    expect(cache.get(a, '1')?.terms.amount_minor).toBe('100');
    expect(cache.get(c, '1')?.terms.amount_minor).toBe('300');
  });
});
