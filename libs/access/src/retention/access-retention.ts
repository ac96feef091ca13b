import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AcrossTenants, Clock, deleteInBatches } from '@atrium/platform';
import { AccessRetentionConfig } from './access-retention.config.js';

/** Advisory lock key (two-int form): one process prunes at a time. */
const PRUNE_LOCK = [0x0acc, 0] as const;
const DAY_MS = 86_400_000;

/** Deletes up to $2 rows of `table` whose end (the `ended` expression, indexed) is before $1; answers `{ n }`. */
const endedBefore = (table: string, ended: string) => `
  WITH gone AS (
    DELETE FROM ${table}
     WHERE ${ended} < $1 AND id IN (SELECT id FROM ${table} WHERE ${ended} < $1 LIMIT $2)
    RETURNING 1)
  SELECT count(*)::int AS n FROM gone`;

/**
 * Each statement deletes up to its last parameter's rows and answers `{ n }`. The age test is repeated on the
 * outer DELETE so a row that changes meanwhile (a device signed in from again) is checked again and kept.
 */
const PRUNE = {
  /** Sessions that ended (revoked, or past their fixed expiry) before $1, with their refresh tokens (ON DELETE CASCADE). */
  sessions: endedBefore('sessions', 'LEAST(revoked_at, expires_at)'),
  /** One-time tokens used or expired before $1. */
  oneTimeTokens: endedBefore('one_time_tokens', 'LEAST(used_at, expires_at)'),
  /**
   * Devices and addresses last seen before $1, except each account's latest sign-in (both its rows carry the same
   * time): an account that has signed in before stays one, so its next sign-in from anywhere else is announced.
   */
  knownSignIns: `WITH gone AS (
                   DELETE FROM known_sign_ins
                    WHERE last_seen_at < $1
                      AND (user_id, kind, fingerprint) IN (
                        SELECT o.user_id, o.kind, o.fingerprint FROM known_sign_ins o
                         WHERE o.last_seen_at < $1
                           AND EXISTS (SELECT 1 FROM known_sign_ins n WHERE n.user_id = o.user_id AND n.last_seen_at > o.last_seen_at)
                         LIMIT $2)
                   RETURNING 1)
                 SELECT count(*)::int AS n FROM gone`,
};

export interface AccessPruned {
  sessions: number;
  one_time_tokens: number;
  known_sign_ins: number;
}

/**
 * Retention of what signing in leaves behind: ended sessions with their refresh tokens and spent one-time tokens after
 * SESSION_RETENTION_DAYS, and devices and addresses not signed in from for KNOWN_SIGN_IN_RETENTION_DAYS. Every
 * organization's sessions: across tenants (row-level security).
 */
@Injectable()
export class AccessRetention {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AccessRetentionConfig,
    private readonly clock: Clock,
  ) {}

  /** How many rows of each kind went, or undefined when another process was pruning. */
  @AcrossTenants()
  async prune(batchSize = 1000): Promise<AccessPruned | undefined> {
    const now = this.clock.now().getTime();
    const ended = new Date(now - this.config.sessionDays * DAY_MS);
    const unseen = new Date(now - this.config.knownSignInDays * DAY_MS);
    const run = (statement: string, before: Date) =>
      deleteInBatches(this.dataSource, { lock: PRUNE_LOCK, statement, params: [before], batchSize });
    const sessions = await run(PRUNE.sessions, ended);
    if (sessions === undefined) return undefined;
    return {
      sessions,
      one_time_tokens: (await run(PRUNE.oneTimeTokens, ended)) ?? 0,
      known_sign_ins: (await run(PRUNE.knownSignIns, unseen)) ?? 0,
    };
  }
}
