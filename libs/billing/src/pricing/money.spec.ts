import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currencyExponent, moneyView, toMajor, toMinor } from './money.js';

describe('currencyExponent', () => {
  it.each([
    ['USD', 2],
    ['EUR', 2],
    ['PLN', 2],
    ['GBP', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['KWD', 3],
    ['BHD', 3],
    ['JOD', 3],
    // ISO 4217, where Intl (CLDR display digits) says 0
    ['IQD', 3],
    ['HUF', 2],
    ['IDR', 2],
    ['CLF', 4],
  ])('%s has %i minor-unit digits', (currency, digits) => {
    expect(currencyExponent(currency)).toBe(digits);
  });

  it.each(['XYZ', 'usd', '', 'US', 'DEM'])('refuses the unknown currency %j', (currency) => {
    expect(() => currencyExponent(currency)).toThrow(RangeError);
  });
});

describe('toMinor', () => {
  it.each([
    [100.0, 'USD', 10000],
    [19.99, 'USD', 1999],
    [0.1 + 0.2, 'USD', 30],
    [0.1 + 0.7, 'USD', 80],
    [1.1 * 3, 'USD', 330],
    [0.29, 'USD', 29],
    [0, 'USD', 0],
    [12345678901234.56, 'USD', 1234567890123456],
    [100, 'JPY', 100],
    [1999, 'JPY', 1999],
    [1.234, 'KWD', 1234],
    [0.005, 'KWD', 5],
  ])('%d %s is %i minor units', (major, currency, minor) => {
    expect(toMinor(major, currency)).toBe(minor);
  });

  it.each([
    [100.005, 'USD'],
    [1.005, 'USD'],
    [0.001, 'USD'],
    [19.5, 'JPY'],
    [1.2345, 'KWD'],
    // 16 significant digits with a third decimal: refused, not silently rounded to the cent
    [1234567890123.456, 'USD'],
  ])('refuses %d %s: more decimals than the currency allows', (major, currency) => {
    expect(() => toMinor(major, currency)).toThrow(new RangeError(`amount has more decimals than ${currency} allows`));
  });

  it.each([
    [-1, 'USD'],
    [-0.01, 'USD'],
    [NaN, 'USD'],
    [Infinity, 'USD'],
    [1e14, 'USD'],
    [10, 'XYZ'],
  ])('refuses %d %s', (major, currency) => {
    expect(() => toMinor(major, currency)).toThrow(RangeError);
  });
});

describe('toMajor and moneyView', () => {
  it.each([
    [1999, 'USD', 19.99],
    [10000, 'USD', 100],
    [-950, 'USD', -9.5],
    [100, 'JPY', 100],
    [1234, 'KWD', 1.234],
  ])('%i %s is %d', (minor, currency, major) => {
    expect(toMajor(minor, currency)).toBe(major);
  });

  it.each([1.5, 2 ** 53, NaN, Infinity])('refuses %d minor units (not a safe integer)', (minor) => {
    expect(() => toMajor(minor, 'USD')).toThrow(RangeError);
    expect(() => moneyView({ amountMinor: minor, currency: 'USD' })).toThrow(RangeError);
  });

  it('answers both units on the wire', () => {
    expect(JSON.stringify(moneyView({ amountMinor: 1999, currency: 'USD' }))).toBe('{"amount":19.99,"amount_minor":1999,"currency":"USD"}');
    expect(moneyView({ amountMinor: 1500, currency: 'JPY' })).toEqual({ amount: 1500, amount_minor: 1500, currency: 'JPY' });
  });

  it('round-trips every minor amount through its major form (as JSON carries it)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 ** 12 }),
        fc.constantFrom('USD', 'JPY', 'KWD', 'CLF'),
        (minor, currency) => toMinor(JSON.parse(JSON.stringify(toMajor(minor, currency))) as number, currency) === minor,
      ),
      { numRuns: 1000 },
    );
  });
});
