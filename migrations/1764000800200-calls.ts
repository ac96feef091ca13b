import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Calls in chats and who takes part. A call moves ringing → active → ended and never leaves `ended`; the partial
 * unique index keeps one call that has not ended per chat, so concurrent starts meet on it (the loser gets 409).
 * Each chat member of the call has a row: invited, joined, left or rejected, with their media switches.
 */
export class Calls1764000800200 implements MigrationInterface {
  name = 'Calls1764000800200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE calls (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        chat_id uuid NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
        call_type text NOT NULL CHECK (call_type IN ('audio', 'video')),
        status text NOT NULL DEFAULT 'ringing' CHECK (status IN ('ringing', 'active', 'ended')),
        end_reason text CHECK (end_reason IN ('completed', 'missed', 'rejected', 'cancelled', 'dropped')),
        started_by uuid REFERENCES users (id) ON DELETE SET NULL,
        ended_by uuid REFERENCES users (id) ON DELETE SET NULL,
        answered_at timestamptz,
        ended_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((status = 'ended') = (end_reason IS NOT NULL AND ended_at IS NOT NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_calls_one_open_per_chat ON calls (chat_id) WHERE status <> 'ended'`);
    await q.query(`CREATE INDEX ix_calls_org_chat ON calls (organization_id, chat_id, created_at DESC)`);
    await q.query(`
      CREATE TABLE call_participants (
        call_id uuid NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        state text NOT NULL CHECK (state IN ('invited', 'joined', 'left', 'rejected')),
        audio_enabled boolean NOT NULL DEFAULT true,
        video_enabled boolean NOT NULL DEFAULT false,
        joined_at timestamptz,
        left_at timestamptz,
        PRIMARY KEY (call_id, user_id)
      )`);
    // A member's open calls (a dropped socket looks its calls up by user).
    await q.query(`CREATE INDEX ix_call_participants_org_user ON call_participants (organization_id, user_id) WHERE state = 'joined'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE call_participants`);
    await q.query(`DROP TABLE calls`);
  }
}
