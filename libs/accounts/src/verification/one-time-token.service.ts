import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, In, IsNull } from 'typeorm';
import { returnedRows } from '@atrium/platform';
import { hashToken, looksLikeOpaqueToken, newOpaqueToken } from '@atrium/access';
import { AccountsError } from '../accounts.errors.js';
import { OneTimeToken, type OneTimeTokenPurpose } from './one-time-token.entity.js';

export interface IssueToken {
  userId: string;
  purpose: OneTimeTokenPurpose;
  email: string;
  ttlSeconds: number;
  organizationId?: string | null;
}

/** Emailed single-use tokens: 256 random bits, only the hash stored, consumed atomically. */
@Injectable()
export class OneTimeTokenService {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores a new token and returns it in clear, once, for the mail. */
  async issue(input: IssueToken, em: EntityManager = this.dataSource.manager): Promise<{ token: string; row: OneTimeToken }> {
    const token = newOpaqueToken();
    const repo = em.getRepository(OneTimeToken);
    const row = await repo.save(
      repo.create({
        userId: input.userId,
        purpose: input.purpose,
        tokenHash: hashToken(token),
        email: input.email,
        organizationId: input.organizationId ?? null,
        expiresAt: new Date(Date.now() + input.ttlSeconds * 1000),
      }),
    );
    return { token, row };
  }

  /** The live token row without using it up, else 400 `invalid_link`, `link_used` or `link_expired`. */
  async peek(purpose: OneTimeTokenPurpose, token: unknown): Promise<OneTimeToken> {
    if (!looksLikeOpaqueToken(token)) throw AccountsError.invalid_link();
    const row = await this.dataSource.getRepository(OneTimeToken).findOne({ where: { tokenHash: hashToken(token), purpose } });
    if (!row) throw AccountsError.invalid_link();
    if (row.usedAt) throw AccountsError.link_used();
    if (row.expiresAt <= new Date()) throw AccountsError.link_expired();
    return row;
  }

  /** Marks the token used, exactly once even under concurrent requests; inside `em`'s transaction when given. */
  async consume(purpose: OneTimeTokenPurpose, token: unknown, em: EntityManager = this.dataSource.manager): Promise<OneTimeToken> {
    if (!looksLikeOpaqueToken(token)) throw AccountsError.invalid_link();
    const tokenHash = hashToken(token);
    const rows = returnedRows<{ id: string }>(
      await em.query(
        `UPDATE one_time_tokens SET used_at = now()
          WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
          RETURNING id`,
        [tokenHash, purpose],
      ),
    );
    if (rows.length) return em.getRepository(OneTimeToken).findOneByOrFail({ id: rows[0].id });
    const row = await em.getRepository(OneTimeToken).findOne({ where: { tokenHash, purpose } });
    if (!row) throw AccountsError.invalid_link();
    throw row.usedAt ? AccountsError.link_used() : AccountsError.link_expired();
  }

  /**
   * Deletes a user's unused tokens of these purposes, so they answer `invalid_link` as links that were never
   * valid for the account (e.g. links mailed to an address the account no longer has).
   */
  async revokeOutstanding(userId: string, purposes: OneTimeTokenPurpose[], em: EntityManager = this.dataSource.manager): Promise<void> {
    await em.getRepository(OneTimeToken).delete({ userId, purpose: In(purposes), usedAt: IsNull() });
  }

  /** Kills every outstanding token of one purpose for a user (e.g. all reset links once the password is reset). */
  async invalidateAll(userId: string, purpose: OneTimeTokenPurpose, em: EntityManager = this.dataSource.manager): Promise<void> {
    await em.getRepository(OneTimeToken).update({ userId, purpose, usedAt: IsNull() }, { usedAt: new Date() });
  }
}
