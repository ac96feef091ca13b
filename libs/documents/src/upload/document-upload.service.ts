import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import busboy from 'busboy';
import { DataSource } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { STORAGE_BYTES_METER } from '@atrium/organizations';
import { BlobStorage, Entitlements, Outbox, PlatformError, type RequestContext, TenantRepository } from '@atrium/platform';
import { Document } from '../document.entity.js';
import { DOCUMENT_UPLOADED, type DocumentUploadedPayload, MAX_FILE_BYTES } from '../document-events.js';
import { DocumentsError } from '../documents.errors.js';
import { DESCRIPTION_MAX_LENGTH, DocumentDto, TITLE_MAX_LENGTH } from '../dto/document.dto.js';
import { PendingBlobs } from '../pending-blobs.js';
import { sanitizeFilename } from './filename.js';
import { STREAM_BUFFER_BYTES, UploadInspector } from './upload-inspector.js';

/** An upload as it arrives: the request's headers and its body stream. */
export type UploadRequest = Readable & { headers: IncomingHttpHeaders };

/**
 * What a multipart body may add around its file: boundaries, part headers (a filename), a title and description at
 * their longest in UTF-8. A Content-Length past the per-file limit by more than this cannot carry an acceptable file.
 */
const MULTIPART_ALLOWANCE = 64 * 1024;
const FIELD_MAX_BYTES = 4 * DESCRIPTION_MAX_LENGTH + 1;
const CONTROL = /\p{Cc}/u;

interface StoredFile {
  filename: string;
  bytes: number;
  checksum: string;
  contentType: string | null;
}

interface Received {
  fields: Record<string, string>;
  file?: StoredFile;
  problems: Map<string, string[]>;
}

/**
 * Streams a multipart upload (`file`, `title`, `description`) to blob storage without holding it in memory: counted,
 * hashed and type-checked on the way (UploadInspector), then committed as a document inside the package's total storage
 * (checked under the organization's limit lock, so concurrent uploads cannot overshoot it). Whatever fails, nothing is
 * kept: the blob is removed, or left listed for the orphan sweep if that fails too.
 */
@Injectable()
export class DocumentUploadService {
  private readonly documents: TenantRepository<Document>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly storage: BlobStorage,
    private readonly entitlements: Entitlements,
    private readonly pending: PendingBlobs,
    private readonly audit: AuditWriter,
    private readonly outbox: Outbox,
  ) {
    this.documents = TenantRepository.for(dataSource, Document, 'Document');
  }

  async upload(ctx: RequestContext, req: UploadRequest): Promise<Document> {
    const organizationId = ctx.requireOrganizationId();
    if (!/^multipart\/form-data\s*;/i.test(req.headers['content-type'] ?? '')) throw DocumentsError.multipart_required();
    const maxBytes = await this.entitlements.limit(ctx, MAX_FILE_BYTES);
    await this.refuseByLength(ctx, req.headers['content-length'], maxBytes);

    const key = `${organizationId}/${randomUUID()}`;
    await this.pending.add(organizationId, key);
    try {
      const received = await this.receive(req, key, maxBytes);
      const file = this.validate(received);
      return await this.commit(ctx, key, received.fields, file);
    } catch (err) {
      await this.pending.discard(key);
      throw err;
    }
  }

  /** Refuses before reading the body when its declared length alone shows the file cannot fit. */
  private async refuseByLength(ctx: RequestContext, header: string | undefined, maxBytes: number | null): Promise<void> {
    const length = Number(header);
    if (!header || !Number.isSafeInteger(length)) return;
    const fileAtLeast = length - MULTIPART_ALLOWANCE;
    if (fileAtLeast <= 0) return;
    if (maxBytes !== null && fileAtLeast > maxBytes) throw this.tooLarge(maxBytes);
    await this.entitlements.assertWithinLimit(ctx, STORAGE_BYTES_METER, fileAtLeast);
  }

  private tooLarge(maxBytes: number): Error {
    return DocumentsError.file_too_large(`The file is larger than your package's per-file limit of ${maxBytes} bytes`, { limit: maxBytes });
  }

  /** Parses the body to its end, storing the file part under `key` as it streams. */
  private async receive(req: UploadRequest, key: string, maxBytes: number | null): Promise<Received> {
    const problems = new Map<string, string[]>();
    const problem = (field: string, text: string) => problems.set(field, [...(problems.get(field) ?? []), text]);
    const fields: Record<string, string> = {};
    let inspector: UploadInspector | undefined;
    let stored: Promise<StoredFile> | undefined;

    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        fileHwm: STREAM_BUFFER_BYTES,
        limits: { files: 1, fields: 2, parts: 3, fieldSize: FIELD_MAX_BYTES, fileSize: maxBytes === null ? Infinity : maxBytes + 1 },
      });
    } catch {
      throw DocumentsError.multipart_required('The multipart/form-data content type needs a boundary');
    }
    bb.on('field', (name, value, info) => {
      if (name !== 'title' && name !== 'description')
        return problem(name, `${name} is not a field of a document (file, title, description)`);
      if (name in fields) problem(name, `${name} was sent twice`);
      if (info.valueTruncated) problem(name, `${name} is too long`);
      fields[name] = value;
    });
    bb.on('file', (name, file, info) => {
      if (name !== 'file' || stored) {
        if (name !== 'file') problem(name, `${name} is not a field of a document; send the file as \`file\``);
        file.resume();
        return;
      }
      const filename = sanitizeFilename(info.filename);
      const current = new UploadInspector(maxBytes, filename);
      inspector = current;
      // On a refusal the rest of the file is read and dropped, so the parser reaches the end of the body and the
      // client gets the answer.
      current.on('error', () => {
        file.unpipe(current);
        file.resume();
      });
      // A body that ends mid-file (cut off, or the client went away) destroys the file stream with busboy's error;
      // unheard, that error was an uncaught exception that took the process down. It fails the stored blob instead.
      file.on('error', (err) => current.destroy(err));
      file.pipe(current);
      stored = this.storage.put(key, current).then((bytes) => ({
        filename,
        bytes,
        checksum: current.checksum,
        contentType: bytes > 0 ? current.contentType : null,
      }));
      // Awaited below; until then a refusal must not count as unhandled.
      stored.catch(() => undefined);
    });
    bb.on('filesLimit', () => problem('file', 'send one file per request'));
    bb.on('fieldsLimit', () => problem('fields', 'only title and description may accompany the file'));
    bb.on('partsLimit', () => problem('fields', 'only file, title and description may be sent'));

    try {
      await pipeline(req, bb);
    } catch (err) {
      inspector?.destroy(err as Error);
      if (
        noSpace(
          await stored?.then(
            () => undefined,
            (e: unknown) => e,
          ),
        )
      )
        throw DocumentsError.storage_full();
      throw DocumentsError.malformed_multipart();
    }
    try {
      return { fields, file: stored ? await stored : undefined, problems };
    } catch (err) {
      // A full disk (or quota) is the server's condition, not the client's: 503, and the caller discards the partial blob.
      if (noSpace(err)) throw DocumentsError.storage_full();
      throw err;
    }
  }

  /** Every problem of the form at once (400 naming each), or the stored file. */
  private validate({ fields, file, problems }: Received): StoredFile {
    const add = (field: string, text: string) => problems.set(field, [...(problems.get(field) ?? []), text]);
    const title = fields.title?.trim() ?? '';
    if (!title) add('title', 'title is required');
    else if (title.length > TITLE_MAX_LENGTH) add('title', `title must be at most ${TITLE_MAX_LENGTH} characters`);
    if (CONTROL.test(fields.title ?? '')) add('title', 'title must not contain control characters');
    const description = fields.description ?? '';
    if (description.length > DESCRIPTION_MAX_LENGTH) add('description', `description must be at most ${DESCRIPTION_MAX_LENGTH} characters`);
    if (CONTROL.test(description.replace(/[\r\n\t]/g, ''))) add('description', 'description must not contain control characters');
    if (!file) add('file', 'file is required');
    else if (file.bytes === 0) add('file', `file "${file.filename}" is empty`);
    if (!problems.size) return file!;
    const details = [...problems].map(([field, list]) => ({ field, problems: list }));
    throw PlatformError.validation_failed(details.flatMap((d) => d.problems).join('; '), details);
  }

  /** The document row, in the package's total storage, with its audit entry and `document.uploaded`. */
  private commit(ctx: RequestContext, key: string, fields: Record<string, string>, file: StoredFile): Promise<Document> {
    return this.dataSource.transaction(async (em) => {
      if (!(await this.pending.claim(em, key))) throw DocumentsError.upload_expired();
      await this.entitlements.assertWithinLimit(ctx, STORAGE_BYTES_METER, file.bytes, em);
      const document = await this.documents.with(em).create(ctx, {
        uploadedBy: ctx.userId ?? null,
        title: fields.title.trim(),
        description: fields.description?.trim() || null,
        filename: file.filename,
        contentType: file.contentType!,
        size: file.bytes,
        checksum: file.checksum,
        storageKey: key,
      });
      await this.audit.record(em, ctx, {
        action: 'document.uploaded',
        resourceType: 'document',
        resourceId: document.id,
        target: document.title,
        after: DocumentDto.from(document),
      });
      this.outbox.add(em, {
        name: DOCUMENT_UPLOADED,
        organizationId: document.organizationId,
        actorId: ctx.actingUserId,
        payload: {
          document_id: document.id,
          title: document.title,
          filename: document.filename,
          content_type: document.contentType,
          size: document.size,
          uploaded_by: document.uploadedBy,
        } satisfies DocumentUploadedPayload,
        requestId: ctx.requestId,
      });
      return document;
    });
  }
}

/** The storage ran out of room: a full disk or an exhausted quota. */
function noSpace(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}
