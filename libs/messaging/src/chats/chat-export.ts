import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DataExportRegistry } from '@atrium/platform';

const PAGE = 500;

/**
 * The GDPR export's `chats` section: the chats the user is in (every organization, each named), and the messages they
 * wrote, streamed in pages. Deleted messages appear as tombstones without content.
 */
@Injectable()
export class ChatExportSection implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: DataExportRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register({ key: 'chats', collect: (userId) => this.collect(userId) });
  }

  private async *collect(userId: string): AsyncGenerator<unknown> {
    const chats: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT c.id, c.organization_id, c.type, c.name, c.description, m.role, m.joined_at, m.last_read_seq::int AS last_read_seq
         FROM chat_members m JOIN chats c ON c.id = m.chat_id WHERE m.user_id = $1 ORDER BY m.joined_at, c.id`,
      [userId],
    );
    for (const chat of chats) yield { kind: 'chat', ...chat };
    for (let after: string | undefined; ;) {
      const rows: Array<{
        id: string;
        organization_id: string;
        chat_id: string;
        seq: string;
        message_type: string;
        content: string | null;
        created_at: Date;
        edited_at: Date | null;
        deleted_at: Date | null;
      }> = await this.dataSource.query(
        `SELECT id, organization_id, chat_id, seq, message_type, content, created_at, edited_at, deleted_at FROM messages
            WHERE sender_id = $1 ${after ? 'AND id > $3' : ''} ORDER BY id LIMIT $2`,
        after ? [userId, PAGE, after] : [userId, PAGE],
      );
      for (const r of rows) yield { kind: 'message', ...r, seq: Number(r.seq) };
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1].id;
    }
  }
}
