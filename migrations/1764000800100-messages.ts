import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Messages of a chat. `seq` is the chat's counter at send time (taken by an UPDATE of the chat row, so numbers follow
 * commit order with no gaps); `(chat_id, seq)` is unique and serves paging, catch-up and the chat list's last message.
 * A retried send with the same `client_message_id` meets the first one on the unique index. `search` is a generated
 * tsvector in the 'simple' configuration (no stemming: any language is matched word for word). A deleted message keeps
 * its row (tombstone: `deleted_at`, `deleted_by`) with its content removed.
 */
export class Messages1764000800100 implements MigrationInterface {
  name = 'Messages1764000800100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        chat_id uuid NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
        seq bigint NOT NULL CHECK (seq > 0),
        sender_id uuid REFERENCES users (id) ON DELETE SET NULL,
        message_type text NOT NULL CHECK (message_type IN ('TEXT', 'SYSTEM')),
        content text,
        client_message_id text,
        mentions uuid[] NOT NULL DEFAULT '{}',
        search tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce(content, ''))) STORED,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        edited_at timestamptz,
        deleted_at timestamptz,
        deleted_by uuid REFERENCES users (id) ON DELETE SET NULL,
        CONSTRAINT uq_messages_chat_seq UNIQUE (chat_id, seq),
        CONSTRAINT uq_messages_client_id UNIQUE (chat_id, sender_id, client_message_id),
        CHECK ((deleted_at IS NULL) = (content IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX ix_messages_search ON messages USING gin (search)`);
    await q.query(`CREATE INDEX ix_messages_organization ON messages (organization_id)`);
    // The GDPR export: the messages a user wrote.
    await q.query(`CREATE INDEX ix_messages_sender ON messages (sender_id)`);
    // The chat list orders a member's chats by their latest activity.
    await q.query(`CREATE INDEX ix_chats_org_activity ON chats (organization_id, (coalesce(last_message_at, created_at)) DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_chats_org_activity`);
    await q.query(`DROP TABLE messages`);
  }
}
