import type { EntityManager } from 'typeorm';
import { isUuid, returnedRows } from '@atrium/platform';
import { MessagingError } from '../messaging.errors.js';
import type { CallEndReason, CallStatus, CallType, ParticipantState } from './call.entity.js';

/** A call as read from its row. */
export interface CallRow {
  id: string;
  organization_id: string;
  chat_id: string;
  call_type: CallType;
  status: CallStatus;
  end_reason: CallEndReason | null;
  started_by: string | null;
  ended_by: string | null;
  answered_at: Date | null;
  ended_at: Date | null;
  created_at: Date;
}

export interface ParticipantRow {
  user_id: string;
  state: ParticipantState;
  audio_enabled: boolean;
  video_enabled: boolean;
  joined_at: Date | null;
  left_at: Date | null;
}

const CALL_COLUMNS = `c.id, c.organization_id, c.chat_id, c.call_type, c.status, c.end_reason, c.started_by, c.ended_by,
  c.answered_at, c.ended_at, c.created_at`;

/**
 * The SQL of calls and their participants. Every read names the organization; `forMember` also requires the
 * caller to be in the call's chat, so a call of a chat they are not in (or of another organization) is 404.
 */
export const CallStore = {
  /** The call, if `userId` is a member of its chat in `organizationId`; with `lock`, FOR UPDATE until commit. */
  async forMember(em: EntityManager, organizationId: string, userId: string, callId: string, lock = true): Promise<CallRow> {
    if (!isUuid(callId)) throw MessagingError.call_not_found();
    const [row] = returnedRows<CallRow>(
      await em.query(
        `SELECT ${CALL_COLUMNS} FROM calls c
           JOIN chat_members m ON m.chat_id = c.chat_id AND m.user_id = $3
          WHERE c.id = $1 AND c.organization_id = $2 ${lock ? 'FOR UPDATE OF c' : ''}`,
        [callId, organizationId, userId],
      ),
    );
    if (!row) throw MessagingError.call_not_found();
    return row;
  },

  /** The call by id in its organization, locked (background work: no member to check); null if it is gone. */
  async lockById(em: EntityManager, organizationId: string, callId: string): Promise<CallRow | null> {
    const [row] = returnedRows<CallRow>(
      await em.query(`SELECT ${CALL_COLUMNS} FROM calls c WHERE c.id = $1 AND c.organization_id = $2 FOR UPDATE`, [callId, organizationId]),
    );
    return row ?? null;
  },

  /** The chat's call that has not ended, if any. */
  async openInChat(em: EntityManager, organizationId: string, chatId: string): Promise<CallRow | null> {
    const [row] = returnedRows<CallRow>(
      await em.query(`SELECT ${CALL_COLUMNS} FROM calls c WHERE c.chat_id = $1 AND c.organization_id = $2 AND c.status <> 'ended'`, [
        chatId,
        organizationId,
      ]),
    );
    return row ?? null;
  },

  async insert(
    em: EntityManager,
    row: { organizationId: string; chatId: string; callType: CallType; startedBy: string },
  ): Promise<CallRow> {
    const [call] = returnedRows<CallRow>(
      await em.query(
        `INSERT INTO calls AS c (organization_id, chat_id, call_type, started_by) VALUES ($1, $2, $3, $4) RETURNING ${CALL_COLUMNS}`,
        [row.organizationId, row.chatId, row.callType, row.startedBy],
      ),
    );
    return call;
  },

  async participants(em: EntityManager, callId: string): Promise<ParticipantRow[]> {
    return returnedRows<ParticipantRow>(
      await em.query(
        `SELECT user_id, state, audio_enabled, video_enabled, joined_at, left_at FROM call_participants WHERE call_id = $1
          ORDER BY joined_at NULLS LAST, user_id`,
        [callId],
      ),
    );
  },

  /** Invites every user but the caller, who joins; media starts on for the call's kind. */
  async addParticipants(em: EntityManager, call: CallRow, callerId: string, memberIds: string[]): Promise<void> {
    await em.query(
      `INSERT INTO call_participants (call_id, user_id, organization_id, state, video_enabled, joined_at)
       SELECT $1, u, $2, CASE WHEN u = $3 THEN 'joined' ELSE 'invited' END, $4, CASE WHEN u = $3 THEN now() END
         FROM unnest($5::uuid[]) AS u`,
      [call.id, call.organization_id, callerId, call.call_type === 'video', memberIds],
    );
  },

  /** Sets a participant's state (adding them if they joined the chat after the call started). */
  async setState(em: EntityManager, call: CallRow, userId: string, state: ParticipantState): Promise<void> {
    await em.query(
      `INSERT INTO call_participants AS p (call_id, user_id, organization_id, state, video_enabled, joined_at, left_at)
       VALUES ($1, $2, $3, $4, $5, CASE WHEN $4 = 'joined' THEN now() END, CASE WHEN $4 = 'left' THEN now() END)
       ON CONFLICT (call_id, user_id) DO UPDATE SET state = EXCLUDED.state,
         joined_at = CASE WHEN EXCLUDED.state = 'joined' THEN now() ELSE p.joined_at END,
         left_at = CASE WHEN EXCLUDED.state = 'joined' THEN NULL WHEN EXCLUDED.state = 'left' THEN now() ELSE p.left_at END`,
      [call.id, userId, call.organization_id, state, call.call_type === 'video'],
    );
  },

  async setMedia(em: EntityManager, callId: string, userId: string, media: { audio: boolean; video: boolean }): Promise<void> {
    await em.query(`UPDATE call_participants SET audio_enabled = $3, video_enabled = $4 WHERE call_id = $1 AND user_id = $2`, [
      callId,
      userId,
      media.audio,
      media.video,
    ]);
  },

  async markActive(em: EntityManager, callId: string): Promise<void> {
    await em.query(`UPDATE calls SET status = 'active', answered_at = now(), updated_at = now() WHERE id = $1 AND status = 'ringing'`, [
      callId,
    ]);
  },

  /** Ends the call; everyone still joined has left. Answers the whole seconds from answer to end (0 if never answered). */
  async markEnded(em: EntityManager, callId: string, reason: CallEndReason, endedBy: string | null): Promise<number> {
    const [ended] = returnedRows<{ duration: number | null }>(
      await em.query(
        `UPDATE calls SET status = 'ended', end_reason = $2, ended_by = $3, ended_at = now(), updated_at = now()
          WHERE id = $1 AND status <> 'ended'
          RETURNING floor(extract(epoch FROM ended_at - answered_at))::int AS duration`,
        [callId, reason, endedBy],
      ),
    );
    await em.query(`UPDATE call_participants SET state = 'left', left_at = now() WHERE call_id = $1 AND state = 'joined'`, [callId]);
    return Math.max(0, ended?.duration ?? 0);
  },

  /** The open calls `userId` has joined in `organizationId`. */
  async joinedCallIds(em: EntityManager, organizationId: string, userId: string): Promise<string[]> {
    const rows = returnedRows<{ call_id: string }>(
      await em.query(
        `SELECT p.call_id FROM call_participants p JOIN calls c ON c.id = p.call_id
          WHERE p.organization_id = $1 AND p.user_id = $2 AND p.state = 'joined' AND c.status <> 'ended'`,
        [organizationId, userId],
      ),
    );
    return rows.map((r) => r.call_id);
  },

  /** Whether `userId` is joined to the call, and whether `peerId` is, for a signaling message between them. */
  async signalingPair(
    em: EntityManager,
    organizationId: string,
    callId: string,
    userId: string,
    peerId: string,
  ): Promise<{ status: CallStatus; sender: ParticipantState | null; peer: ParticipantState | null } | null> {
    const [row] = returnedRows<{ status: CallStatus; sender: ParticipantState | null; peer: ParticipantState | null }>(
      await em.query(
        `SELECT c.status, s.state AS sender, t.state AS peer
           FROM calls c
           JOIN chat_members m ON m.chat_id = c.chat_id AND m.user_id = $3
           LEFT JOIN call_participants s ON s.call_id = c.id AND s.user_id = $3
           LEFT JOIN call_participants t ON t.call_id = c.id AND t.user_id = $4
          WHERE c.id = $1 AND c.organization_id = $2`,
        [callId, organizationId, userId, peerId],
      ),
    );
    return row ?? null;
  },
};
