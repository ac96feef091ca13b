import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DataExportRegistry } from '@atrium/platform';

const PAGE = 500;

/** The GDPR export's `notifications` section: every notification the user has, in every organization, streamed in pages. */
@Injectable()
export class NotificationExportSection implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: DataExportRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register({ key: 'notifications', collect: (userId) => this.collect(userId) });
  }

  private async *collect(userId: string): AsyncGenerator<unknown> {
    const preferences: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT organization_id, email_enabled, in_app_enabled, types AS preferences, quiet_hours, updated_at
         FROM notification_preferences WHERE user_id = $1 ORDER BY organization_id`,
      [userId],
    );
    for (const p of preferences) yield { kind: 'preferences', ...p };
    for (let after: { created_at: Date; id: string } | undefined; ;) {
      const rows: Array<Record<string, unknown> & { created_at: Date; id: string }> = await this.dataSource.query(
        `SELECT id, organization_id, type, title, body, link, data, in_app, read_at, created_at FROM notifications
          WHERE user_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) > ($2, $3::uuid))
          ORDER BY created_at, id LIMIT ${PAGE}`,
        [userId, after?.created_at ?? null, after?.id ?? null],
      );
      for (const r of rows) yield { kind: 'notification', ...r };
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1];
    }
  }
}
