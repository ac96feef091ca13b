import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { clientKey, Outbox } from '@atrium/platform';
import { describeDevice } from './device.js';

/** A sign-in from a device or an address the account had not used before (an account event: no organization). */
export const NEW_SIGN_IN = 'session.new_sign_in';

export interface NewSignInPayload {
  user_id: string;
  session_id: string;
  /** The client address the session was opened from, as the sessions list shows it. */
  ip: string | null;
  /** The device's human name (`describeDevice`), e.g. "Firefox on Windows". */
  device: string;
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * A user agent as a device: lower case, without version numbers or repeated spaces, so a browser or system update
 * (Chrome/126 → Chrome/127, Mac OS X 14_5 → 14_6) is the same device and alerts nobody. No user agent is one device.
 */
export const deviceFingerprint = (userAgent: string | null | undefined): Buffer =>
  sha256(
    (userAgent ?? '')
      .toLowerCase()
      .replace(/\d+(?:[._]\d+)*/g, '')
      .replace(/\s+/g, ' ')
      .trim(),
  );

/** A client address as rate limits key it: an IPv6 client by its /64 (it rotates addresses inside it), a mapped IPv4 as IPv4. */
export const ipFingerprint = (ip: string | null | undefined): Buffer => sha256(clientKey(ip ?? undefined));

/**
 * Both upserts in one statement, answering whether the account had signed in before (read in the statement's
 * snapshot, so not counting this sign-in) and whether either row is new (`xmax = 0` holds for a row this statement
 * inserted, not for one ON CONFLICT updated). Concurrent sign-ins of one account never fail: the second to reach a
 * fingerprint waits for the first and updates its row, so a new device is announced once.
 */
const RECORD_SQL = `
  WITH prior AS (SELECT EXISTS (SELECT 1 FROM known_sign_ins WHERE user_id = $1) AS signed_in_before),
  seen AS (
    INSERT INTO known_sign_ins (user_id, kind, fingerprint) VALUES ($1, 'device', $2), ($1, 'ip', $3)
    ON CONFLICT (user_id, kind, fingerprint) DO UPDATE SET last_seen_at = now()
    RETURNING xmax = 0 AS inserted
  )
  SELECT (SELECT signed_in_before FROM prior) AS signed_in_before, bool_or(inserted) AS unseen FROM seen`;

/**
 * Remembers the devices and addresses each account signs in from (as SHA-256 fingerprints in `known_sign_ins`) and
 * writes `session.new_sign_in` when a sign-in comes from a device or an address not seen before. The very first
 * sign-in of an account records both and alerts nobody: there is nothing yet to compare with.
 */
@Injectable()
export class KnownSignIns {
  constructor(private readonly outbox: Outbox) {}

  /** In the transaction that opens the session; returns whether the sign-in was announced as new. */
  async record(
    em: EntityManager,
    signIn: { userId: string; sessionId: string; ip?: string; userAgent?: string; requestId?: string },
  ): Promise<boolean> {
    const [row]: Array<{ signed_in_before: boolean; unseen: boolean }> = await em.query(RECORD_SQL, [
      signIn.userId,
      deviceFingerprint(signIn.userAgent),
      ipFingerprint(signIn.ip),
    ]);
    if (!row.signed_in_before || !row.unseen) return false;
    this.outbox.add(em, {
      name: NEW_SIGN_IN,
      actorId: signIn.userId,
      payload: {
        user_id: signIn.userId,
        session_id: signIn.sessionId,
        ip: signIn.ip ?? null,
        device: describeDevice(signIn.userAgent ?? null),
      } satisfies NewSignInPayload,
      requestId: signIn.requestId,
    });
    return true;
  }
}
