import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import type { DomainError, ErrorKind } from '@atrium/platform';
import { AccessError } from '../access.errors.js';
import { normalizeBackupCode } from './backup-codes.js';
import { MfaBackupCode } from './mfa-backup-code.entity.js';
import { MfaKeys } from './mfa-keys.js';
import { checkTotp, isTotpCode } from './totp.js';
import { UserMfa } from './user-mfa.entity.js';

/** Wrong codes allowed before the factor locks, and for how long. */
export const MFA_MAX_FAILED_ATTEMPTS = 5;
export const MFA_LOCK_SECONDS = 5 * 60;

export interface MfaAttempt {
  /** 401 at sign-in (`invalid_mfa_code`, `mfa_code_reused`), 400 confirming an action (`wrong_mfa_code`, `mfa_code_already_used`). */
  kind: Extract<ErrorKind, 'unauthorized' | 'bad_request'>;
  /** Backup codes may stand in for a TOTP code. */
  allowBackup: boolean;
  /** false only while confirming a pending setup. */
  requireEnabled: boolean;
}

type Outcome = { ok: true } | { ok: false; error: DomainError };

const lockedError = (until: Date) => {
  const retryAfter = String(Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000)));
  return AccessError.too_many_mfa_attempts(`Too many wrong codes; try again in ${retryAfter} seconds`, undefined, {
    'Retry-After': retryAfter,
  });
};

type Refusal = 'wrong' | 'reused';

/** At sign-in a code is a credential (401); confirming an action it is a form field (400): one code per meaning. */
const refusal = (kind: MfaAttempt['kind'], why: Refusal): DomainError =>
  kind === 'unauthorized'
    ? why === 'reused'
      ? AccessError.mfa_code_reused()
      : AccessError.invalid_mfa_code()
    : why === 'reused'
      ? AccessError.mfa_code_already_used()
      : AccessError.wrong_mfa_code();

/**
 * Checks TOTP and backup codes for a user. Attempts on one user are serialized by a row lock, so a
 * code is accepted once (replay-safe) and wrong codes are counted exactly; too many lock the factor (429).
 */
@Injectable()
export class MfaVerifier {
  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: MfaKeys,
  ) {}

  /** One primary-key lookup; sign-in asks it before opening a session. */
  async isEnabled(userId: string): Promise<boolean> {
    const row = await this.dataSource.getRepository(UserMfa).findOne({ select: { userId: true, enabledAt: true }, where: { userId } });
    return Boolean(row?.enabledAt);
  }

  /**
   * Verifies `code`; on success runs `onSuccess` in the same transaction (enable, disable, new codes…).
   * Failures are recorded even though the caller gets an error.
   */
  async attempt<T>(userId: string, code: string, opts: MfaAttempt, onSuccess: (em: EntityManager) => Promise<T>): Promise<T> {
    let value: T | undefined;
    const outcome = await this.dataSource.transaction(async (em): Promise<Outcome> => {
      const mfa = await em.getRepository(UserMfa).findOne({ where: { userId }, lock: { mode: 'pessimistic_write' } });
      if (!mfa || (opts.requireEnabled && !mfa.enabledAt)) throw AccessError.mfa_not_enabled();
      const now = new Date();
      if (mfa.lockedUntil && mfa.lockedUntil > now) return { ok: false, error: lockedError(mfa.lockedUntil) };

      const problem = await this.check(em, mfa, code.trim(), opts);
      if (problem) return { ok: false, error: await this.recordFailure(em, mfa, now, problem, opts.kind) };
      await em.getRepository(UserMfa).update({ userId }, { failedAttempts: 0, lockedUntil: null, lastTimeStep: mfa.lastTimeStep });
      value = await onSuccess(em);
      return { ok: true };
    });
    if (!outcome.ok) throw outcome.error;
    return value as T;
  }

  /** undefined when the code is good (and marks it spent), else why it is refused. */
  private async check(em: EntityManager, mfa: UserMfa, code: string, opts: MfaAttempt): Promise<Refusal | undefined> {
    if (isTotpCode(code)) {
      const secret = this.keys.openSecret(mfa.secretEncrypted, mfa.userId);
      const result = await checkTotp({ secret, code, lastTimeStep: mfa.lastTimeStep });
      if (!result.ok) return result.replay ? 'reused' : 'wrong';
      mfa.lastTimeStep = result.timeStep;
      return undefined;
    }
    const normalized = opts.allowBackup ? normalizeBackupCode(code) : undefined;
    if (!normalized) return 'wrong';
    const used = await em
      .getRepository(MfaBackupCode)
      .update({ userId: mfa.userId, codeHash: this.keys.hashBackupCode(normalized), usedAt: IsNull() }, { usedAt: new Date() });
    return used.affected ? undefined : 'wrong';
  }

  private async recordFailure(em: EntityManager, mfa: UserMfa, now: Date, why: Refusal, kind: MfaAttempt['kind']): Promise<DomainError> {
    const lockExpired = mfa.lockedUntil !== null && mfa.lockedUntil <= now;
    const failedAttempts = (lockExpired ? 0 : mfa.failedAttempts) + 1;
    const lockedUntil = failedAttempts >= MFA_MAX_FAILED_ATTEMPTS ? new Date(now.getTime() + MFA_LOCK_SECONDS * 1000) : null;
    await em.getRepository(UserMfa).update({ userId: mfa.userId }, { failedAttempts, lockedUntil });
    if (lockedUntil) return lockedError(lockedUntil);
    return refusal(kind, why);
  }
}
