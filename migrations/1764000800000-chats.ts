import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Chats and who is in them. `last_seq` is the chat's message counter: a sender takes the next number with an UPDATE
 * of the chat row, which holds the row lock until COMMIT, so numbers follow commit order without gaps. A direct chat
 * has a `direct_key` (the two user ids, sorted): the unique index makes concurrent creates of one pair meet on one row.
 */
export class Chats1764000800000 implements MigrationInterface {
  name = 'Chats1764000800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE chats (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        type text NOT NULL CHECK (type IN ('direct', 'group')),
        name text,
        description text,
        direct_key text,
        created_by uuid REFERENCES users (id) ON DELETE SET NULL,
        last_seq bigint NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
        last_message_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((type = 'direct') = (direct_key IS NOT NULL)),
        CHECK (type = 'direct' OR name IS NOT NULL)
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_chats_direct_pair ON chats (organization_id, direct_key) WHERE direct_key IS NOT NULL`);
    await q.query(`
      CREATE TABLE chat_members (
        chat_id uuid NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        role text NOT NULL DEFAULT 'member' CHECK (role IN ('admin', 'member')),
        last_read_seq bigint NOT NULL DEFAULT 0 CHECK (last_read_seq >= 0),
        joined_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (chat_id, user_id)
      )`);
    // A member's chats in one organization (the chat list, the rooms a socket joins).
    await q.query(`CREATE INDEX ix_chat_members_org_user ON chat_members (organization_id, user_id)`);
    // The new moderation permission, for the built-in roles that hold every permission but billing's.
    await q.query(`
      UPDATE roles SET permissions = array_append(permissions, 'chats.manage')
       WHERE built_in AND slug IN ('owner', 'admin') AND NOT ('chats.manage' = ANY (permissions))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE roles SET permissions = array_remove(permissions, 'chats.manage') WHERE built_in`);
    await q.query(`DROP TABLE chat_members`);
    await q.query(`DROP TABLE chats`);
  }
}
