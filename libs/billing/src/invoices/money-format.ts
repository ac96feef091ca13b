const formats = new Map<string, Intl.NumberFormat>();

function currencyFormat(currency: string, locale: string): Intl.NumberFormat {
  const key = `${locale}:${currency}`;
  let format = formats.get(key);
  if (!format) formats.set(key, (format = new Intl.NumberFormat(locale, { style: 'currency', currency })));
  return format;
}

/** How many minor-unit digits the currency has (USD 2, JPY 0, KWD 3), as Intl knows it. */
export function minorDigits(currency: string): number {
  return currencyFormat(currency, 'en').resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * An amount in minor units written for people: `formatMinor(123456, 'PLN')` → `PLN 1,234.56`, `formatMinor(500, 'JPY')`
 * → `¥500`. The decimal is built from the integer as a string, so no binary fraction ever touches the amount.
 */
export function formatMinor(minor: number, currency: string, locale = 'en-US'): string {
  if (!Number.isSafeInteger(minor)) throw new Error(`An amount in minor units must be an integer, got ${minor}`);
  const digits = minorDigits(currency);
  const abs = String(Math.abs(minor)).padStart(digits + 1, '0');
  const major = abs.slice(0, abs.length - digits);
  const decimal = digits ? `${major}.${abs.slice(abs.length - digits)}` : major;
  return currencyFormat(currency, locale).format(`${minor < 0 ? '-' : ''}${decimal}` as Intl.StringNumericLiteral);
}
