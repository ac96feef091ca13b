import { assertMinor, currencyExponent } from '../pricing/money.js';

const formats = new Map<string, Intl.NumberFormat>();

/**
 * An amount in minor units written for people: `formatMinor(123456, 'PLN')` → `PLN 1,234.56`, `formatMinor(500, 'JPY')`
 * → `¥500`. The digits are the currency's ISO 4217 minor unit (the pricing module's table, which is what the amount
 * counts in), not Intl's display digits, so an IQD amount keeps its three decimals. The decimal is built from the
 * integer as a string: no binary fraction ever touches the amount.
 */
export function formatMinor(minor: number, currency: string, locale = 'en-US'): string {
  assertMinor(minor);
  const digits = currencyExponent(currency);
  const key = `${locale}:${currency}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits });
    formats.set(key, format);
  }
  const abs = String(Math.abs(minor)).padStart(digits + 1, '0');
  const major = abs.slice(0, abs.length - digits);
  const decimal = digits ? `${major}.${abs.slice(abs.length - digits)}` : major;
  return format.format(`${minor < 0 ? '-' : ''}${decimal}` as Intl.StringNumericLiteral);
}
