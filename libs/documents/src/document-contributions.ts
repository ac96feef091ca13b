import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DataExportRegistry, TenantRepository, UsageRegistry } from '@atrium/platform';
import { STORAGE_BYTES_METER } from '@atrium/organizations';
import { Document } from './document.entity.js';

const PAGE = 500;

/** What documents add elsewhere: their bytes to the storage meter (package limit, stats), and the user's data export. */
@Injectable()
export class DocumentContributions implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly usage: UsageRegistry,
    private readonly exports: DataExportRegistry,
  ) {}

  onModuleInit(): void {
    const documents = TenantRepository.for(this.dataSource, Document, 'Document');
    this.usage.register({
      resource: STORAGE_BYTES_METER,
      measure: async (ctx, em) => {
        const row = await documents
          .with(em)
          .query(ctx, 'd')
          .select('coalesce(sum(d.size), 0)::float8', 'bytes')
          .getRawOne<{ bytes: number }>();
        return row?.bytes ?? 0;
      },
    });
    this.exports.register({ key: 'documents', collect: (userId) => this.uploadedBy(userId) });
  }

  /** Metadata of every document the user uploaded, in every organization (never the storage key), in pages. */
  private async *uploadedBy(userId: string): AsyncGenerator<unknown> {
    for (let after: { created_at: Date; id: string } | undefined; ;) {
      const rows: Array<Record<string, unknown> & { created_at: Date; id: string }> = await this.dataSource.query(
        `SELECT id, organization_id, title, description, filename, content_type, size::float8 AS size, checksum, created_at
           FROM documents WHERE uploaded_by = $1 AND ($2::timestamptz IS NULL OR (created_at, id) > ($2, $3::uuid))
          ORDER BY created_at, id LIMIT ${PAGE}`,
        [userId, after?.created_at ?? null, after?.id ?? null],
      );
      yield* rows;
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1];
    }
  }
}
