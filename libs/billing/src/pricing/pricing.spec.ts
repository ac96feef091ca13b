import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addMonths,
  addonCharge,
  type BillingPeriod,
  invoiceTotals,
  listPrice,
  type PriceList,
  quoteChange,
  renewalCharge,
  unusedCredit,
} from './pricing.js';

const d = (iso: string) => new Date(iso);

/** The catalogue's prices in cents (migrations/1764000200000-package-catalogue.ts). */
const list = (m1: number, m3: number, m6: number, m12: number, currency = 'USD'): PriceList => ({
  currency,
  prices: [
    { period: '1_month', months: 1, amountMinor: m1 },
    { period: '3_months', months: 3, amountMinor: m3 },
    { period: '6_months', months: 6, amountMinor: m6 },
    { period: '1_year', months: 12, amountMinor: m12 },
  ],
});
const BASIC = list(1900, 5400, 10200, 19000);
const PLATINUM = list(4900, 13900, 26400, 49000);
const DIAMOND = list(14900, 42400, 80400, 149000);

describe('listPrice', () => {
  it.each<[string, PriceList, BillingPeriod, number | undefined, number, number]>([
    ['1_month', BASIC, '1_month', undefined, 1900, 1],
    ['3_months', BASIC, '3_months', undefined, 5400, 3],
    ['6_months', BASIC, '6_months', undefined, 10200, 6],
    ['1_year', BASIC, '1_year', undefined, 19000, 12],
    ['1_year with custom_months 12', BASIC, '1_year', 12, 19000, 12],
    ['custom 1 = the 1_month price', BASIC, 'custom', 1, 1900, 1],
    ['custom 2 = 2 × 1_month', BASIC, 'custom', 2, 3800, 2],
    ['custom 5 at the 3_months rate', BASIC, 'custom', 5, 9000, 5],
    ['custom 7 = 6_months / 6 × 7', BASIC, 'custom', 7, 11900, 7],
    ['custom 12 = the 1_year price exactly', BASIC, 'custom', 12, 19000, 12],
    ['custom 13 at the 1_year rate, 20583.33 rounded down', BASIC, 'custom', 13, 20583, 13],
    ['custom 36 = 3 × 1_year', BASIC, 'custom', 36, 57000, 36],
    ['Platinum custom 13, 53083.33 rounded down', PLATINUM, 'custom', 13, 53083, 13],
    ['Diamond custom 5, 70666.67 rounded down', DIAMOND, 'custom', 5, 70666, 5],
  ])('%s', (_name, prices, period, customMonths, amountMinor, months) => {
    expect(listPrice(prices, period, customMonths)).toEqual({ amountMinor, months });
  });

  it.each<[string, PriceList, string, number | undefined, RegExp]>([
    ['custom 0', BASIC, 'custom', 0, /custom_months must be an integer from 1 to 36, got 0/],
    ['custom 37', BASIC, 'custom', 37, /custom_months must be an integer from 1 to 36, got 37/],
    ['custom 1.5', BASIC, 'custom', 1.5, /custom_months must be an integer/],
    ['custom without months', BASIC, 'custom', undefined, /needs custom_months/],
    ['1_year with custom_months 6', BASIC, '1_year', 6, /custom_months 6 does not match period '1_year'/],
    ['an unknown period', BASIC, 'weekly', undefined, /unknown period 'weekly'/],
    [
      'a missing price',
      { currency: 'USD', prices: BASIC.prices.filter((p) => p.period !== '3_months') },
      '3_months',
      undefined,
      /no USD price for period '3_months'/,
    ],
    [
      'custom shorter than every catalogue period',
      { currency: 'USD', prices: BASIC.prices.filter((p) => p.months >= 3) },
      'custom',
      2,
      /no catalogue price to rate 2 custom months/,
    ],
    ['an unknown currency', list(1, 3, 6, 12, 'XYZ'), '1_month', undefined, /unknown currency 'XYZ'/],
    ['a fractional price', list(19.5, 3, 6, 12), '1_month', undefined, /price of '1_month' must be a safe integer/],
    [
      'a period whose months disagree with its name',
      { currency: 'USD', prices: [{ period: '1_year', months: 6, amountMinor: 100 }] },
      '1_year',
      undefined,
      /period '1_year' with 6 months/,
    ],
  ])('refuses %s', (_name, prices, period, customMonths, message) => {
    expect(() => listPrice(prices, period as BillingPeriod, customMonths)).toThrow(RangeError);
    expect(() => listPrice(prices, period as BillingPeriod, customMonths)).toThrow(message);
  });

  it('renewalCharge is the list price (no proration on renewal)', () => {
    expect(renewalCharge(BASIC, '1_year')).toEqual({ amountMinor: 19000, months: 12 });
    expect(renewalCharge(BASIC, 'custom', 13)).toEqual({ amountMinor: 20583, months: 13 });
  });
});

describe('addMonths: period ends (a downgrade is scheduled for the current period end)', () => {
  it.each([
    ['2026-04-16T09:30:00.000Z', 1, '2026-05-16T09:30:00.000Z'],
    ['2026-01-31T10:20:30.000Z', 1, '2026-02-28T10:20:30.000Z'],
    ['2028-01-31T10:20:30.000Z', 1, '2028-02-29T10:20:30.000Z'],
    ['2026-01-31T00:00:00.000Z', 2, '2026-03-31T00:00:00.000Z'],
    ['2026-03-31T00:00:00.000Z', 1, '2026-04-30T00:00:00.000Z'],
    ['2028-02-29T08:00:00.000Z', 12, '2029-02-28T08:00:00.000Z'],
    ['2028-02-29T08:00:00.000Z', 48, '2032-02-29T08:00:00.000Z'],
    ['2028-02-29T08:00:00.000Z', 7, '2028-09-29T08:00:00.000Z'],
    ['2026-11-30T12:00:00.000Z', 3, '2027-02-28T12:00:00.000Z'],
    ['2026-12-15T12:00:00.000Z', 1, '2027-01-15T12:00:00.000Z'],
    ['2026-12-31T23:59:59.999Z', 1, '2027-01-31T23:59:59.999Z'],
    ['2026-01-31T23:59:59.999Z', 1, '2026-02-28T23:59:59.999Z'],
    ['2026-10-31T00:00:00.000Z', 36, '2029-10-31T00:00:00.000Z'],
    ['2099-12-31T00:00:00.000Z', 2, '2100-02-28T00:00:00.000Z'],
    ['2000-01-31T00:00:00.000Z', 1, '2000-02-29T00:00:00.000Z'],
    ['2026-05-31T00:00:00.000Z', 0, '2026-05-31T00:00:00.000Z'],
    ['2026-03-31T00:00:00.000Z', -1, '2026-02-28T00:00:00.000Z'],
  ])('%s + %i months = %s', (start, months, end) => {
    expect(addMonths(d(start), months).toISOString()).toBe(end);
  });

  it('refuses a fractional month count and an invalid date', () => {
    expect(() => addMonths(d('2026-01-01T00:00:00Z'), 1.5)).toThrow(RangeError);
    expect(() => addMonths(new Date(NaN), 1)).toThrow(RangeError);
  });
});

/** Basic 1_month paid for April 2026 (30 days = 2,592,000 s). */
const APRIL = { amountMinor: 1900, start: d('2026-04-01T00:00:00Z'), end: d('2026-05-01T00:00:00Z') };

describe('unusedCredit', () => {
  it.each([
    ['mid-period: exactly half', APRIL, '2026-04-16T00:00:00Z', 950],
    ['mid-period by the second: 14.5 of 30 days, 918.33 rounded up', APRIL, '2026-04-16T12:00:00Z', 919],
    ['one second into the second half: 949.9993 rounded up', APRIL, '2026-04-16T00:00:01Z', 950],
    ['Platinum, 14.5 of 30 days: 2368.33 rounded up', { ...APRIL, amountMinor: 4900 }, '2026-04-16T12:00:00Z', 2369],
    ['last day, one day left: 63.33 rounded up', APRIL, '2026-04-30T00:00:00Z', 64],
    ['last day, one hour left: 2.64 rounded up', APRIL, '2026-04-30T23:00:00Z', 3],
    ['last second: 0.0007 rounded up', APRIL, '2026-04-30T23:59:59Z', 1],
    ['at the end', APRIL, '2026-05-01T00:00:00Z', 0],
    ['after the end', APRIL, '2026-06-01T00:00:00Z', 0],
    ['at the start: all of it, never more', APRIL, '2026-04-01T00:00:00Z', 1900],
    ['before the start: all of it, never more', APRIL, '2026-03-01T00:00:00Z', 1900],
    ['a free period', { ...APRIL, amountMinor: 0 }, '2026-04-16T00:00:00Z', 0],
    [
      'across Feb 29: 14 of 29 days left, 917.24 rounded up',
      { amountMinor: 1900, start: d('2028-02-15T00:00:00Z'), end: d('2028-03-15T00:00:00Z') },
      '2028-03-01T00:00:00Z',
      918,
    ],
    [
      'a 366-day year on Feb 29: 338 of 366 days left',
      { amountMinor: 19000, start: d('2028-02-01T00:00:00Z'), end: d('2029-02-01T00:00:00Z') },
      '2028-02-29T00:00:00Z',
      17547,
    ],
    [
      'a 366-day year after Feb 29: 337 of 366 days left',
      { amountMinor: 19000, start: d('2028-02-01T00:00:00Z'), end: d('2029-02-01T00:00:00Z') },
      '2028-03-01T00:00:00Z',
      17495,
    ],
    [
      'a 1_year period from Feb 29 2028 (365 days) at its middle',
      { amountMinor: 19000, start: d('2028-02-29T00:00:00Z'), end: addMonths(d('2028-02-29T00:00:00Z'), 12) },
      '2028-08-29T12:00:00Z',
      9500,
    ],
  ])('%s', (_name, paid, at, credit) => {
    expect(unusedCredit(paid, d(at))).toBe(credit);
  });

  it.each([
    ['an empty period', { ...APRIL, end: APRIL.start }],
    ['a fractional amount', { ...APRIL, amountMinor: 0.5 }],
    ['a negative amount', { ...APRIL, amountMinor: -1 }],
    ['an amount past 2^53', { ...APRIL, amountMinor: 2 ** 53 }],
  ])('refuses %s', (_name, paid) => {
    expect(() => unusedCredit(paid, d('2026-04-16T00:00:00Z'))).toThrow(RangeError);
  });

  it('stays within [0, amount] and never grows as time passes (property, 1,000 random periods)', () => {
    const YEAR_2000 = Date.UTC(2000, 0, 1);
    const YEAR_2100 = Date.UTC(2100, 0, 1);
    const FIVE_YEARS = 5 * 366 * 86_400_000;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000_000 }),
        fc.integer({ min: YEAR_2000, max: YEAR_2100 }),
        fc.integer({ min: 1000, max: FIVE_YEARS }),
        fc.double({ min: -0.5, max: 1.5, noNaN: true }),
        fc.double({ min: -0.5, max: 1.5, noNaN: true }),
        (amountMinor, start, length, f1, f2) => {
          const paid = { amountMinor, start: new Date(start), end: new Date(start + length) };
          const [early, late] = [Math.min(f1, f2), Math.max(f1, f2)].map((f) => new Date(start + Math.round(f * length)));
          const c1 = unusedCredit(paid, early);
          const c2 = unusedCredit(paid, late);
          return Number.isInteger(c1) && c1 >= 0 && c1 <= amountMinor && c2 >= 0 && c2 <= c1;
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('addonCharge', () => {
  it.each([
    ['quantity 1, Jan 1 → Apr 1 is exactly 3 months', 1000, 1, '2026-01-01T00:00:00Z', '2026-04-01T00:00:00Z', 3000],
    ['quantity 3, Jan 1 → Apr 1', 1000, 3, '2026-01-01T00:00:00Z', '2026-04-01T00:00:00Z', 9000],
    ['half of February 2026 (14 of 28 days)', 1000, 1, '2026-02-01T00:00:00Z', '2026-02-15T00:00:00Z', 500],
    ['half of February 2026, quantity 3', 1000, 3, '2026-02-01T00:00:00Z', '2026-02-15T00:00:00Z', 1500],
    ['half of February 2028 (14.5 of 29 days)', 1000, 1, '2028-02-01T00:00:00Z', '2028-02-15T12:00:00Z', 500],
    ['one day of January: 32.26 rounded down', 1000, 1, '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', 32],
    ['one day of January, quantity 3: 96.77 rounded down', 1000, 3, '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', 96],
    ['to the end of a mid-April quote: 15 of 30 days, quantity 3', 1000, 3, '2026-04-16T00:00:00Z', '2026-05-01T00:00:00Z', 1500],
    ['3 months and half of the fourth', 1000, 1, '2026-01-01T00:00:00Z', '2026-04-16T00:00:00Z', 3500],
    ['Jan 31 → Feb 28 is one month', 1000, 1, '2026-01-31T00:00:00Z', '2026-02-28T00:00:00Z', 1000],
    ['Jan 31 → Mar 31 is two months', 1000, 1, '2026-01-31T00:00:00Z', '2026-03-31T00:00:00Z', 2000],
    ['Jan 31 → Feb 14 is half of a 28-day month', 1000, 1, '2026-01-31T00:00:00Z', '2026-02-14T00:00:00Z', 500],
    ['a year', 500, 2, '2026-01-15T00:00:00Z', '2027-01-15T00:00:00Z', 12000],
    ['7 custom months from Feb 29 2028', 1000, 1, '2028-02-29T08:00:00Z', '2028-09-29T08:00:00Z', 7000],
    ['nothing when it starts and ends at once', 1000, 3, '2026-04-16T00:00:00Z', '2026-04-16T00:00:00Z', 0],
  ])('%s', (_name, monthlyMinor, quantity, from, to, charge) => {
    expect(addonCharge({ monthlyMinor, quantity, from: d(from), to: d(to) })).toBe(charge);
  });

  it.each([
    ['an end before the start', { quantity: 1, from: d('2026-02-01T00:00:00Z'), to: d('2026-01-01T00:00:00Z') }],
    ['quantity 0', { quantity: 0, from: d('2026-01-01T00:00:00Z'), to: d('2026-02-01T00:00:00Z') }],
    ['quantity 1.5', { quantity: 1.5, from: d('2026-01-01T00:00:00Z'), to: d('2026-02-01T00:00:00Z') }],
  ])('refuses %s', (_name, input) => {
    expect(() => addonCharge({ monthlyMinor: 1000, ...input })).toThrow(RangeError);
  });

  it.each([-1, 0.5, 2 ** 53])('refuses the monthly price %d', (monthlyMinor) => {
    expect(() => addonCharge({ monthlyMinor, quantity: 1, from: d('2026-01-01T00:00:00Z'), to: d('2026-02-01T00:00:00Z') })).toThrow(
      RangeError,
    );
  });

  it('charges whole months exactly from any start, month-end days included (property)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: d('2000-01-01T00:00:00Z'), max: d('2099-12-31T00:00:00Z'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 36 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 1, max: 50 }),
        (from, months, monthlyMinor, quantity) =>
          addonCharge({ monthlyMinor, quantity, from, to: addMonths(from, months) }) === monthlyMinor * quantity * months,
      ),
      { numRuns: 300 },
    );
  });
});

describe('quoteChange', () => {
  it.each([
    [
      'from Free with no paid period: no credit',
      { list: BASIC, period: '1_month', at: '2026-04-16T09:30:00Z', current: null },
      { listMinor: 1900, creditMinor: 0, dueMinor: 1900, months: 1, periodEnd: '2026-05-16T09:30:00.000Z' },
    ],
    [
      'from a free period: no credit',
      { list: BASIC, period: '1_month', at: '2026-04-16T09:30:00Z', current: { ...APRIL, amountMinor: 0 } },
      { listMinor: 1900, creditMinor: 0, dueMinor: 1900, months: 1, periodEnd: '2026-05-16T09:30:00.000Z' },
    ],
    [
      'mid-period upgrade: half of April credited',
      { list: PLATINUM, period: '1_year', at: '2026-04-16T00:00:00Z', current: APRIL },
      { listMinor: 49000, creditMinor: 950, dueMinor: 48050, months: 12, periodEnd: '2027-04-16T00:00:00.000Z' },
    ],
    [
      'upgrade on the last day: the hour left credited, rounded up',
      { list: PLATINUM, period: '1_month', at: '2026-04-30T23:00:00Z', current: APRIL },
      { listMinor: 4900, creditMinor: 3, dueMinor: 4897, months: 1, periodEnd: '2026-05-30T23:00:00.000Z' },
    ],
    [
      'credit above the new price: nothing due, the rest forfeited (not refunded)',
      {
        list: BASIC,
        period: '1_month',
        at: '2026-01-02T00:00:00Z',
        current: { amountMinor: 149000, start: d('2026-01-01T00:00:00Z'), end: d('2027-01-01T00:00:00Z') },
      },
      { listMinor: 1900, creditMinor: 148592, dueMinor: 0, months: 1, periodEnd: '2026-02-02T00:00:00.000Z' },
    ],
    [
      'custom 7 months from Feb 29 2028',
      { list: BASIC, period: 'custom', customMonths: 7, at: '2028-02-29T08:00:00Z', current: null },
      { listMinor: 11900, creditMinor: 0, dueMinor: 11900, months: 7, periodEnd: '2028-09-29T08:00:00.000Z' },
    ],
    [
      'a 1_year period from Feb 29 2028 ends Feb 28 2029',
      { list: BASIC, period: '1_year', at: '2028-02-29T08:00:00Z', current: null },
      { listMinor: 19000, creditMinor: 0, dueMinor: 19000, months: 12, periodEnd: '2029-02-28T08:00:00.000Z' },
    ],
  ])('%s', (_name, input, expected) => {
    const quote = quoteChange({
      ...input,
      period: input.period as BillingPeriod,
      at: d(input.at),
      current: input.current && { ...input.current, currency: 'USD' },
    });
    expect({ ...quote, periodStart: quote.periodStart.toISOString(), periodEnd: quote.periodEnd.toISOString() }).toEqual({
      currency: 'USD',
      ...expected,
      periodStart: d(input.at).toISOString(),
    });
  });

  it('refuses a current period paid in another currency', () => {
    expect(() =>
      quoteChange({ list: BASIC, period: '1_month', at: d('2026-04-16T00:00:00Z'), current: { ...APRIL, currency: 'EUR' } }),
    ).toThrow(/paid in EUR, the new price is in USD/);
  });

  it('never asks a negative amount and never credits more than the price (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 100 }),
        (listMinor, paidMinor, elapsedPercent) => {
          const start = Date.UTC(2026, 0, 1);
          const end = Date.UTC(2027, 0, 1);
          const quote = quoteChange({
            list: { currency: 'USD', prices: [{ period: '1_month', months: 1, amountMinor: listMinor }] },
            period: '1_month',
            at: new Date(start + ((end - start) * elapsedPercent) / 100),
            current: { amountMinor: paidMinor, start: new Date(start), end: new Date(end), currency: 'USD' },
          });
          return (
            quote.dueMinor >= 0 &&
            quote.dueMinor <= listMinor &&
            quote.creditMinor <= paidMinor &&
            quote.dueMinor === Math.max(0, listMinor - quote.creditMinor)
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('invoiceTotals', () => {
  it('totals each line and the invoice in integers, a credit line included', () => {
    expect(
      invoiceTotals([
        { description: 'Platinum, 1 year', quantity: 1, unitMinor: 49000 },
        { description: 'Members add-on', quantity: 3, unitMinor: 1000 },
        { description: 'Credit for unused Basic', quantity: 1, unitMinor: -950 },
      ]),
    ).toEqual({
      lines: [
        { description: 'Platinum, 1 year', quantity: 1, unitMinor: 49000, totalMinor: 49000 },
        { description: 'Members add-on', quantity: 3, unitMinor: 1000, totalMinor: 3000 },
        { description: 'Credit for unused Basic', quantity: 1, unitMinor: -950, totalMinor: -950 },
      ],
      totalMinor: 51050,
    });
  });

  it.each([
    ['no lines', []],
    ['a negative total', [{ description: 'Credit', quantity: 1, unitMinor: -1 }]],
    ['a fractional unit price', [{ description: 'Basic', quantity: 1, unitMinor: 19.99 }]],
    ['quantity 0', [{ description: 'Basic', quantity: 0, unitMinor: 1900 }]],
    ['a line past 2^53', [{ description: 'Basic', quantity: 2, unitMinor: 2 ** 52 }]],
  ])('refuses %s', (_name, lines) => {
    expect(() => invoiceTotals(lines)).toThrow(RangeError);
  });
});
