import { describe, expect, it } from 'vitest';
import { luhnValid, readCardNumber } from './sandbox-cards.js';
import { formatAmount } from './sandbox-checkout.page.js';

describe('the amount on the checkout page', () => {
  it.each([
    [4900, 'USD', '$49.00'],
    [123456, 'USD', '$1,234.56'],
    [5, 'USD', '$0.05'],
    [1500, 'JPY', '¥1,500'],
    [1250, 'KWD', 'KWD 1.250'],
    // ISO 4217 gives HUF two minor digits where Intl displays none: stored amounts follow ISO.
    [123456, 'HUF', 'HUF 1,234.56'],
    [9007199254740991, 'USD', '$90,071,992,547,409.91'],
  ])('%i minor units of %s read %s', (minor, currency, shown) => {
    expect(formatAmount(minor, currency).replace(/\u00a0/g, ' ')).toBe(shown);
  });
});

describe('card numbers typed on the page', () => {
  it.each([
    ['4242 4242 4242 4242', 'test_card'],
    ['4000-0000-0000-0002', 'test_card'],
    ['4000000000009995', 'test_card'],
    ['4242 4242 4242 4241', 'invalid'],
    ['4242', 'invalid'],
    ['', 'invalid'],
    ['4242 4242 4242 424x', 'invalid'],
    ['4111 1111 1111 1111', 'not_a_test_card'],
  ])('%s is %s', (typed, kind) => {
    expect(readCardNumber(typed).kind).toBe(kind);
  });

  it('checks the Luhn digit', () => {
    expect(luhnValid('79927398713')).toBe(false); // too short for a card
    expect(luhnValid('4012888888881881')).toBe(true);
    expect(luhnValid('4012888888881882')).toBe(false);
  });
});
