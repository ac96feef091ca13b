import { Injectable } from '@nestjs/common';
import { DataSource, ILike } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { type Page, type RequestContext, returnedRows, TenantRepository } from '@atrium/platform';
import { Document } from './document.entity.js';
import { DocumentDto } from './dto/document.dto.js';
import { DocumentsError } from './documents.errors.js';
import { DocumentLinks } from './download/document-links.js';
import { PendingBlobs } from './pending-blobs.js';

/** `%`, `_` and `\` match themselves in a search. */
const likeLiteral = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Lists, reads and deletes the organization's documents, and signs download links. */
@Injectable()
export class DocumentService {
  private readonly documents: TenantRepository<Document>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly pending: PendingBlobs,
    private readonly links: DocumentLinks,
    private readonly audit: AuditWriter,
  ) {
    this.documents = TenantRepository.for(dataSource, Document, 'Document');
  }

  /** Newest first; `search` matches the title or the filename, case-insensitively. */
  list(ctx: RequestContext, query: { page: number; limit: number; search?: string }): Promise<Page<Document>> {
    const pattern = query.search ? `%${likeLiteral(query.search)}%` : undefined;
    const where = pattern ? [{ title: ILike(pattern) }, { filename: ILike(pattern) }] : {};
    return this.documents.findPage(ctx, query, where, { createdAt: 'DESC', id: 'DESC' });
  }

  /** The document, or 404 `document_not_found` (also for another organization's id, or one that is not a uuid). */
  get(ctx: RequestContext, id: string): Promise<Document> {
    return this.documents.getById(ctx, id);
  }

  /** Deletes the row (audited), then the blob after commit; a blob that cannot be removed now is left for the sweep. */
  async remove(ctx: RequestContext, id: string): Promise<void> {
    const document = await this.dataSource.transaction(async (em) => {
      const found = await this.documents.with(em).getById(ctx, id);
      const gone = returnedRows(
        await em.query(`DELETE FROM documents WHERE id = $1 AND organization_id = $2 RETURNING id`, [found.id, found.organizationId]),
      );
      // Deleted by a concurrent request meanwhile.
      if (!gone.length) throw DocumentsError.document_not_found();
      await this.pending.add(found.organizationId, found.storageKey, em);
      await this.audit.record(em, ctx, {
        action: 'document.deleted',
        resourceType: 'document',
        resourceId: found.id,
        target: found.title,
        before: DocumentDto.from(found),
      });
      return found;
    });
    await this.pending.discard(document.storageKey);
  }

  /** A link that downloads the document without credentials for 5 minutes. */
  async downloadUrl(ctx: RequestContext, id: string): Promise<{ url: string; expiresAt: Date }> {
    const document = await this.get(ctx, id);
    return this.links.issue(document.organizationId, document.id, ctx.actingUserId ?? null);
  }
}
