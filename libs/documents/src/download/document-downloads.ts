import type { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { BlobStorage, type ByteRange, type RequestContext, TenantRepository, withTenant } from '@atrium/platform';
import { Document } from '../document.entity.js';
import { DocumentsError } from '../documents.errors.js';
import { parseByteRange } from './byte-range.js';
import { DocumentLinks } from './document-links.js';

/** What the client sent that shapes the answer. */
export interface DownloadRequest {
  /** A HEAD request: the headers of the download only; nothing is read from storage or audited. */
  headOnly?: boolean;
  range?: string;
  ifRange?: string;
  ifNoneMatch?: string;
}

/**
 * A download to send: the whole document or one range of it, or `notModified` (the client's copy is current). `body` is
 * null for a HEAD request.
 */
export interface Download {
  document: Document;
  etag: string;
  notModified: boolean;
  range: ByteRange | null;
  body: Readable | null;
}

const etagOf = (d: Document) => `"${d.checksum}"`;

/** Does an If-None-Match list name this ETag (weak comparison, as RFC 9110 asks for it)? */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/**
 * Opens documents for download (with a credentialed request, or a signed link), answering conditional and range
 * requests. A download that sends bytes from the start of the file is audited (`document.downloaded`); a resumed one
 * (a range starting later) is part of the same download and is not.
 */
@Injectable()
export class DocumentDownloads {
  private readonly documents: TenantRepository<Document>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly storage: BlobStorage,
    private readonly links: DocumentLinks,
    private readonly audit: AuditWriter,
  ) {
    this.documents = TenantRepository.for(dataSource, Document, 'Document');
  }

  open(ctx: RequestContext, id: string, request: DownloadRequest): Promise<Download> {
    return this.prepare(ctx, id, request, ctx.actingUserId ?? null, 'authenticated');
  }

  /** A signed link's download: 403 `invalid_download_link` when it is malformed, tampered or expired. */
  openSigned(ctx: RequestContext, token: unknown, request: DownloadRequest): Promise<Download> {
    const claims = this.links.verify(token);
    if (!claims) throw DocumentsError.invalid_download_link();
    // Row-level security: the link works in the organization its signed claims name.
    return withTenant(claims.organizationId, () =>
      this.prepare(ctx.withOrganization(claims.organizationId, []), claims.documentId, request, claims.userId, 'signed_link'),
    );
  }

  private async prepare(
    ctx: RequestContext,
    id: string,
    request: DownloadRequest,
    actorUserId: string | null,
    via: string,
  ): Promise<Download> {
    const document = await this.documents.getById(ctx, id);
    const etag = etagOf(document);
    if (matches(request.ifNoneMatch, etag)) return { document, etag, notModified: true, range: null, body: null };
    // A Range applies only to the representation the client already holds part of (If-Range), else the whole body goes.
    const ranged = request.ifRange && request.ifRange.trim() !== etag ? undefined : request.range;
    const range = parseByteRange(ranged, document.size);
    if (range === 'unsatisfiable') {
      throw DocumentsError.range_not_satisfiable(undefined, { size: document.size }, { 'Content-Range': `bytes */${document.size}` });
    }
    if (request.headOnly) return { document, etag, notModified: false, range, body: null };
    const body = await this.storage.get(document.storageKey, range ?? undefined);
    if (!range || range.start === 0) {
      try {
        await this.audit.record(this.dataSource.manager, ctx, {
          action: 'document.downloaded',
          resourceType: 'document',
          resourceId: document.id,
          target: document.title,
          actorUserId,
          metadata: { via, ...(range ? { range: `${range.start}-${range.end}` } : {}) },
        });
      } catch (err) {
        body.destroy();
        throw err;
      }
    }
    return { document, etag, notModified: false, range, body };
  }
}
