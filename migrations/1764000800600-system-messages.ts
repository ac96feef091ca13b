import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SYSTEM messages (written by the server: renames, membership changes, calls). `messages.system` holds their
 * structured facts (`{event, actor_id, user_ids?, name?, call_id?, reason?, duration_seconds?}`), only on SYSTEM rows.
 * They never count as unread: `chats.system_count` counts a chat's SYSTEM messages and `chat_members.read_system_count`
 * those at or before the member's read marker, so unread = (last_seq − last_read_seq) − (system_count −
 * read_system_count) stays two columns already on the chat list's rows. The partial index counts the SYSTEM messages a
 * read marker passes.
 */
export class SystemMessages1764000800600 implements MigrationInterface {
  name = 'SystemMessages1764000800600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE messages ADD COLUMN system jsonb, ADD CONSTRAINT ck_messages_system CHECK (message_type = 'SYSTEM' OR system IS NULL)`,
    );
    await q.query(`CREATE INDEX ix_messages_system_seq ON messages (chat_id, seq) WHERE message_type = 'SYSTEM'`);
    await q.query(`ALTER TABLE chats ADD COLUMN system_count bigint NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE chat_members ADD COLUMN read_system_count bigint NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE chat_members DROP COLUMN read_system_count`);
    await q.query(`ALTER TABLE chats DROP COLUMN system_count`);
    await q.query(`DROP INDEX ix_messages_system_seq`);
    await q.query(`ALTER TABLE messages DROP CONSTRAINT ck_messages_system, DROP COLUMN system`);
  }
}
