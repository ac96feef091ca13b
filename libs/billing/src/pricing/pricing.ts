import { assertMinor, currencyExponent } from './money.js';

/**
 * Every money figure in billing: list prices, custom periods, add-ons, proration, invoice totals. Pure functions over
 * integers in minor units; rounding is always in the customer's favour (charges down, credits up). Invalid input is a
 * RangeError naming what is wrong; callers turn it into their 4xx.
 */

export type BillingPeriod = '1_month' | '3_months' | '6_months' | '1_year' | 'custom';

/** A catalogue price: `period` (`1_month`…), its length in months and its price in minor units. */
export interface PeriodPrice {
  period: string;
  months: number;
  amountMinor: number;
}

/** A package's prices in one currency. */
export interface PriceList {
  currency: string;
  prices: PeriodPrice[];
}

/** What changing to a package for a period costs at an instant, net of the current period's unused credit. */
export interface Quote {
  currency: string;
  listMinor: number;
  creditMinor: number;
  dueMinor: number;
  months: number;
  periodStart: Date;
  periodEnd: Date;
}

/** The catalogue periods and their length in months; `custom` is priced from these. */
export const CATALOGUE_PERIOD_MONTHS: Readonly<Record<Exclude<BillingPeriod, 'custom'>, number>> = {
  '1_month': 1,
  '3_months': 3,
  '6_months': 6,
  '1_year': 12,
};

/** Bounds of `custom_months`. */
export const CUSTOM_MONTHS_MIN = 1;
export const CUSTOM_MONTHS_MAX = 36;

/**
 * The list price of a period. A catalogue period costs its price (a `customMonths` equal to its length is allowed).
 * `custom` (1..36 months) costs months × the monthly rate of the longest catalogue period not longer than it, rounded
 * down: 12 custom months is the 1_year price exactly, 7 is 6_months / 6 × 7.
 */
export function listPrice(list: PriceList, period: BillingPeriod, customMonths?: number): { amountMinor: number; months: number } {
  currencyExponent(list.currency);
  const prices = list.prices.map(checkPrice);
  if (period === 'custom') {
    if (customMonths === undefined) throw new RangeError(`period 'custom' needs custom_months`);
    if (!Number.isInteger(customMonths) || customMonths < CUSTOM_MONTHS_MIN || customMonths > CUSTOM_MONTHS_MAX) {
      throw new RangeError(`custom_months must be an integer from ${CUSTOM_MONTHS_MIN} to ${CUSTOM_MONTHS_MAX}, got ${customMonths}`);
    }
    let base: PeriodPrice | undefined;
    for (const p of prices) if (p.months <= customMonths && (!base || p.months > base.months)) base = p;
    if (!base) throw new RangeError(`no catalogue price to rate ${customMonths} custom months from`);
    // Rounded down: a fraction of a cent is never charged.
    return { amountMinor: mulDiv(base.amountMinor, customMonths, base.months, 'down'), months: customMonths };
  }
  if (!Object.hasOwn(CATALOGUE_PERIOD_MONTHS, period)) throw new RangeError(`unknown period '${String(period)}'`);
  const price = prices.find((p) => p.period === period);
  if (!price) throw new RangeError(`no ${list.currency} price for period '${period}'`);
  if (customMonths !== undefined && customMonths !== price.months) {
    throw new RangeError(`custom_months ${customMonths} does not match period '${period}' (${price.months} months)`);
  }
  return { amountMinor: price.amountMinor, months: price.months };
}

/** The price of renewing a period: the list price, named for the reader (renewals get no proration). */
export function renewalCharge(list: PriceList, period: BillingPeriod, customMonths?: number): { amountMinor: number; months: number } {
  return listPrice(list, period, customMonths);
}

/**
 * `start` plus whole calendar months in UTC, time of day kept, the day clamped to the target month's last day:
 * Jan 31 + 1 = Feb 28 (29 in a leap year), Feb 29 2028 + 12 = Feb 28 2029. Always step from the period's anchor
 * (`addMonths(anchor, n)`), not from the previous result: chaining would carry a clamped day forward (Jan 31 → Feb 28
 * → Mar 28).
 */
export function addMonths(start: Date, months: number): Date {
  const t = checkDate(start, 'start');
  if (!Number.isSafeInteger(months)) throw new RangeError(`months must be an integer, got ${months}`);
  const monthIndex = start.getUTCFullYear() * 12 + start.getUTCMonth() + months;
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12;
  const result = new Date(t);
  // Year, month and the clamped day in one call, so no intermediate date can overflow into the next month.
  result.setUTCFullYear(year, month, Math.min(start.getUTCDate(), daysInMonth(year, month)));
  return result;
}

/**
 * The unused part of a paid period at `at`, by the second (measured in milliseconds):
 * amount × (end − at) / (end − start), rounded UP to the minor unit (the customer's favour). The full amount at or
 * before the start, 0 at or after the end, so it never exceeds what was paid.
 */
export function unusedCredit(paid: { amountMinor: number; start: Date; end: Date }, at: Date): number {
  assertNonNegativeMinor(paid.amountMinor, 'paid amount');
  const start = checkDate(paid.start, 'start');
  const end = checkDate(paid.end, 'end');
  const now = checkDate(at, 'at');
  if (end <= start) throw new RangeError('a paid period must end after it starts');
  if (now <= start) return paid.amountMinor;
  if (now >= end) return 0;
  return mulDiv(paid.amountMinor, end - now, end - start, 'up');
}

/**
 * One add-on line over [from, to): monthly × quantity × months, where months are counted on the calendar (whole
 * months by `addMonths` from `from`, then the last partial month as a fraction of that month's own length, by the
 * second). Jan 1 → Apr 1 is exactly 3 months; half of February is half a month. Rounded DOWN (the customer's favour).
 */
export function addonCharge(input: { monthlyMinor: number; quantity: number; from: Date; to: Date }): number {
  assertNonNegativeMinor(input.monthlyMinor, 'monthly price');
  if (!Number.isSafeInteger(input.quantity) || input.quantity < 1) {
    throw new RangeError(`quantity must be a positive integer, got ${input.quantity}`);
  }
  const from = checkDate(input.from, 'from');
  const to = checkDate(input.to, 'to');
  if (to < from) throw new RangeError('an add-on cannot end before it starts');

  // Whole months: the largest n with from + n months ≤ to (estimated from the calendar, then corrected for clamping).
  let whole = (input.to.getUTCFullYear() - input.from.getUTCFullYear()) * 12 + input.to.getUTCMonth() - input.from.getUTCMonth();
  while (whole > 0 && addMonths(input.from, whole).getTime() > to) whole--;
  while (addMonths(input.from, whole + 1).getTime() <= to) whole++;

  const monthStart = addMonths(input.from, whole).getTime();
  const monthLength = addMonths(input.from, whole + 1).getTime() - monthStart;
  const rest = to - monthStart;
  // monthly × quantity × (whole + rest / monthLength), in one integer division so only the final result is rounded.
  const value =
    (BigInt(input.monthlyMinor) * BigInt(input.quantity) * (BigInt(whole) * BigInt(monthLength) + BigInt(rest))) / BigInt(monthLength);
  return toSafeNumber(value);
}

/**
 * What changing to `period` of a price list costs at `at`: the new period runs from `at` for its months; the current
 * paid period's unused part is credited (0 with no current period or a free one) and due = list − credit.
 *
 * A credit larger than the list price (a long expensive period exchanged for a short cheap one) is NOT refunded:
 * due is 0 and the rest of the credit is forfeited. `creditMinor` reports the whole unused credit.
 */
export function quoteChange(input: {
  list: PriceList;
  period: BillingPeriod;
  customMonths?: number;
  at: Date;
  current: null | { amountMinor: number; start: Date; end: Date; currency: string };
}): Quote {
  const { list, current, at } = input;
  if (current && current.currency !== list.currency) {
    throw new RangeError(`the current period is paid in ${current.currency}, the new price is in ${list.currency}`);
  }
  const { amountMinor: listMinor, months } = listPrice(list, input.period, input.customMonths);
  const creditMinor = current ? unusedCredit(current, at) : 0;
  return {
    currency: list.currency,
    listMinor,
    creditMinor,
    dueMinor: Math.max(0, listMinor - creditMinor),
    months,
    periodStart: new Date(checkDate(at, 'at')),
    periodEnd: addMonths(at, months),
  };
}

/** An invoice line before its total. `unitMinor` may be negative for a credit line. */
export interface InvoiceLineInput {
  description: string;
  quantity: number;
  unitMinor: number;
}

/** An invoice line with its total (quantity × unit). */
export interface InvoiceLine extends InvoiceLineInput {
  totalMinor: number;
}

/**
 * Line totals and the invoice total, as exact integer sums. No tax in this version: the total is the sum of the lines
 * (tax lines would be added here). A total below zero is refused: an invoice never pays the customer.
 */
export function invoiceTotals(lines: InvoiceLineInput[]): { lines: InvoiceLine[]; totalMinor: number } {
  if (lines.length === 0) throw new RangeError('an invoice needs at least one line');
  let totalMinor = 0;
  const out = lines.map((line) => {
    if (!Number.isSafeInteger(line.quantity) || line.quantity < 1) {
      throw new RangeError(`quantity of '${line.description}' must be a positive integer, got ${line.quantity}`);
    }
    assertMinor(line.unitMinor, `unit price of '${line.description}'`);
    const lineTotal = line.quantity * line.unitMinor;
    assertMinor(lineTotal, `total of '${line.description}'`);
    totalMinor += lineTotal;
    assertMinor(totalMinor, 'invoice total');
    return { ...line, totalMinor: lineTotal };
  });
  if (totalMinor < 0) throw new RangeError(`invoice total is negative (${totalMinor})`);
  return { lines: out, totalMinor };
}

function checkPrice(p: PeriodPrice): PeriodPrice {
  const canonical = (CATALOGUE_PERIOD_MONTHS as Record<string, number | undefined>)[p.period];
  if (canonical === undefined || p.months !== canonical) {
    throw new RangeError(`price list has period '${p.period}' with ${p.months} months`);
  }
  assertNonNegativeMinor(p.amountMinor, `price of '${p.period}'`);
  return p;
}

function assertNonNegativeMinor(amountMinor: number, what: string): void {
  assertMinor(amountMinor, what);
  if (amountMinor < 0) throw new RangeError(`${what} must not be negative, got ${amountMinor}`);
}

function checkDate(d: Date, what: string): number {
  const t = d instanceof Date ? d.getTime() : NaN;
  if (Number.isNaN(t)) throw new RangeError(`${what} is not a valid date`);
  return t;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 1 && leap ? 29 : DAYS_IN_MONTH[month];
}

/** a × b / c for non-negative integers, exact (BigInt: a × b can pass 2^53), rounded down or up. */
function mulDiv(a: number, b: number, c: number, round: 'down' | 'up'): number {
  const n = BigInt(a) * BigInt(b);
  const d = BigInt(c);
  return toSafeNumber(round === 'down' ? n / d : (n + d - 1n) / d);
}

function toSafeNumber(v: bigint): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('amount exceeds the safe integer range');
  return Number(v);
}
