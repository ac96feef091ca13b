import type { PayloadReader } from '@atrium/platform';
import { assertMinor, currencyExponent, toMinor } from '../pricing/money.js';

/**
 * An amount from a partner's payload, in minor units with its currency: `amount_minor` (integer), or `amount` — an
 * integer is minor units (`10000` USD = 100.00), a decimal number or string is major units (`"29.99"`). Problems are
 * recorded on `reader`; null when there is no amount (or it is bad).
 */
export function readMoney(
  fields: Record<string, unknown>,
  reader: PayloadReader,
  required: boolean,
): { amountMinor: number; currency: string } | null {
  const raw = fields.amount_minor ?? fields.amount;
  const currencyText = reader.string('currency', { required: required || raw !== undefined, max: 3 });
  if (raw === undefined || raw === null) {
    if (required) reader.problem('amount is required');
    return null;
  }
  const currency = currencyText?.toUpperCase() ?? null;
  if (currency) {
    try {
      currencyExponent(currency);
    } catch {
      reader.problem(`currency ${currency} is not an ISO 4217 code`);
      return null;
    }
  }
  const minorGiven = fields.amount_minor !== undefined || (typeof raw === 'number' && Number.isInteger(raw));
  try {
    if (minorGiven) {
      if (typeof raw !== 'number') throw new RangeError('amount_minor must be an integer');
      assertMinor(raw, 'amount');
      if (raw <= 0) throw new RangeError('amount must be more than 0');
      return currency ? { amountMinor: raw, currency } : null;
    }
    const major = typeof raw === 'string' && /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : typeof raw === 'number' ? raw : NaN;
    if (Number.isNaN(major)) throw new RangeError('amount must be a number, or a decimal string such as "29.99"');
    if (!currency) return null;
    const amountMinor = toMinor(major, currency);
    if (amountMinor <= 0) throw new RangeError('amount must be more than 0');
    return { amountMinor, currency };
  } catch (err) {
    reader.problem(err instanceof Error ? err.message : String(err));
    return null;
  }
}
