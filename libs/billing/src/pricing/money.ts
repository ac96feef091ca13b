/** An amount of money: an integer in the currency's minor unit (cents for USD) and its ISO 4217 code. */
export interface Money {
  amountMinor: number;
  currency: string;
}

/**
 * ISO 4217 minor-unit digits of the currencies in circulation (list one, withdrawn codes left out). A table rather
 * than `Intl.NumberFormat`: Intl follows CLDR's display digits, which differ from ISO for IQD (0, ISO 3), HUF, IDR,
 * COP, MGA, LAK (0, ISO 2), and Intl accepts any three letters (XYZ gives 2) where we must refuse an unknown code.
 */
const EXPONENTS: ReadonlyMap<string, number> = new Map([
  ...digits(0, 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF'),
  ...digits(3, 'BHD IQD JOD KWD LYD OMR TND'),
  ...digits(4, 'CLF UYW'),
  ...digits(
    2,
    'AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW ' +
      'CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF ' +
      'IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK ' +
      'MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP ' +
      'SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ' +
      'ZAR ZMW ZWG',
  ),
]);

function digits(n: number, codes: string): Array<[string, number]> {
  return codes.split(' ').map((code) => [code, n]);
}

/** ISO 4217 minor-unit digits of an upper-case currency code (USD 2, JPY 0, KWD 3); RangeError for an unknown code. */
export function currencyExponent(currency: string): number {
  const exponent = EXPONENTS.get(currency);
  if (exponent === undefined) throw new RangeError(`unknown currency '${currency}'`);
  return exponent;
}

/** Throws RangeError unless `amountMinor` is a safe integer (a minor-unit amount must be exact). */
export function assertMinor(amountMinor: number, what = 'amount'): void {
  if (!Number.isSafeInteger(amountMinor)) {
    throw new RangeError(`${what} must be a safe integer in minor units, got ${amountMinor}`);
  }
}

/**
 * A major-unit amount from JSON (`100.00`, `19.99`) as an integer in minor units, exactly.
 *
 * The number is rounded to the currency's digits through its decimal string (`toFixed`, exact on the double), never
 * `Math.round(x * 100)`: 1.005 * 100 is 100.49999999999999. The rounded decimal is accepted only when it is the same
 * number up to float noise (agreement to 15 significant digits, which a double always carries), so 0.1 + 0.2 is 30
 * cents while 100.005 USD, which really has a third decimal, is refused.
 */
export function toMinor(amountMajor: number, currency: string): number {
  const exponent = currencyExponent(currency);
  if (!Number.isFinite(amountMajor) || amountMajor < 0) {
    throw new RangeError(`amount must be a finite number ≥ 0, got ${amountMajor}`);
  }
  if (amountMajor > Number.MAX_SAFE_INTEGER / 10 ** exponent) {
    throw new RangeError(`amount ${amountMajor} ${currency} is too large`);
  }
  const decimal = amountMajor.toFixed(exponent);
  if (Math.abs(Number(decimal) - amountMajor) > amountMajor * 1e-15) {
    throw new RangeError(`amount has more decimals than ${currency} allows`);
  }
  const minor = Number(decimal.replace('.', ''));
  assertMinor(minor);
  return minor;
}

/** Minor units back to a major-unit number for the wire (1999 USD → 19.99, the double nearest that decimal). */
export function toMajor(amountMinor: number, currency: string): number {
  assertMinor(amountMinor);
  // An exact integer divided by an exact power of ten: IEEE division returns the double nearest the decimal.
  return amountMinor / 10 ** currencyExponent(currency);
}

/** The wire form of an amount: both units and the currency (`{ amount: 19.99, amount_minor: 1999, currency }`). */
export function moneyView(m: Money): { amount: number; amount_minor: number; currency: string } {
  return { amount: toMajor(m.amountMinor, m.currency), amount_minor: m.amountMinor, currency: m.currency };
}
