import { availableParallelism } from 'node:os';
import { Injectable } from '@nestjs/common';
import argon2 from 'argon2';
import { WorkSlots } from '@atrium/platform';
import { COMMON_PASSWORDS } from './common-passwords.js';
import { AccountsError } from '../accounts.errors.js';

/** OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. Hashing runs on libuv's thread pool. */
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;

/** Hashes, verifies and judges passwords. */
@Injectable()
export class PasswordService {
  /** One core stays free for the event loop (and the database): hashes beyond that wait their turn. */
  private readonly slots = new WorkSlots(Math.max(1, availableParallelism() - 1));
  /** A hash of a random string, verified against when the account does not exist, so timing reveals nothing. */
  private readonly decoy = this.hash(`decoy-${Math.random()}`);

  hash(password: string): Promise<string> {
    return this.slots.run(() => argon2.hash(password, ARGON2_OPTIONS));
  }

  async verify(hash: string | null | undefined, password: string): Promise<boolean> {
    if (!hash) {
      const decoy = await this.decoy;
      await this.slots.run(() => argon2.verify(decoy, password)).catch(() => false);
      return false;
    }
    try {
      return await this.slots.run(() => argon2.verify(hash, password));
    } catch {
      return false;
    }
  }

  /** Throws a 400 naming the broken rule. */
  assertStrong(password: string, context: { email?: string; field?: string } = {}): void {
    const field = context.field ?? 'password';
    const problem = weakPasswordReason(password, context.email);
    if (problem) {
      throw AccountsError.weak_password(`${field} ${problem}`, [{ field, problems: [`${field} ${problem}`] }]);
    }
  }
}

/** Why a password is refused, or undefined when it is acceptable. */
export function weakPasswordReason(password: string, email?: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower)) return 'is too common; choose one that is not on lists of breached passwords';
  if (new Set(lower).size < 3) return 'must not repeat the same one or two characters';
  if (email && lower === email.toLowerCase()) return 'must not be your email address';
  return undefined;
}
