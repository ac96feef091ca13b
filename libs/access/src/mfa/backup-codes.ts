import { createHmac, randomInt } from 'node:crypto';

export const BACKUP_CODE_COUNT = 10;

/** No 0/o, 1/l/i: codes get read off paper. 31 symbols × 10 = ~49.5 bits each. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** `xxxxx-xxxxx` codes, shown to the user once. */
export function newBackupCodes(count = BACKUP_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    const chars = Array.from({ length: 10 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/** What a user typed, reduced to the code's 10 characters (case, spaces and dashes ignored), or undefined. */
export function normalizeBackupCode(input: string): string | undefined {
  const s = input.toLowerCase().replace(/[\s-]/g, '');
  return new RegExp(`^[${ALPHABET}]{10}$`).test(s) ? s : undefined;
}

/** Keyed hash: a leaked table cannot be brute-forced offline without the deployment's key. */
export function hashBackupCode(key: Buffer, normalized: string): string {
  return createHmac('sha256', key).update(normalized).digest('hex');
}
