import { describe, expect, it } from 'vitest';
import { formatMinor } from './money-format.js';

describe('formatMinor', () => {
  it.each([
    [123456, 'USD', '$1,234.56'],
    [5, 'USD', '$0.05'],
    [0, 'EUR', '€0.00'],
    [-1999, 'USD', '-$19.99'],
    [123456, 'PLN', 'PLN 1,234.56'],
    [500, 'JPY', '¥500'],
    [1234567, 'KWD', 'KWD 1,234.567'],
    // Intl shows IQD without decimals; the amount counts fils (ISO 4217: 3 digits), so all three are written.
    [1234567, 'IQD', 'IQD 1,234.567'],
    // Past 2^53 / 100 a float division would round the cents; the string path keeps them.
    [9007199254740991, 'USD', '$90,071,992,547,409.91'],
  ])('%i %s → %s', (minor, currency, expected) => {
    expect(formatMinor(minor, currency).replace(/\u00a0/g, ' ')).toBe(expected);
  });

  it('refuses a fractional amount and an unknown currency', () => {
    expect(() => formatMinor(12.5, 'USD')).toThrow(/integer/);
    expect(() => formatMinor(100, 'XYZ')).toThrow(/unknown currency/);
  });
});
