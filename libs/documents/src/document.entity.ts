import { Column, Entity } from 'typeorm';
import { bigintNumber, TenantEntity } from '@atrium/platform';

/** A stored file's metadata; its bytes are in blob storage under `storageKey` (generated, never the user's filename). */
@Entity('documents')
export class Document extends TenantEntity {
  @Column('uuid', { nullable: true })
  uploadedBy: string | null;

  @Column('text')
  title: string;

  @Column('text', { nullable: true })
  description: string | null;

  /** The uploader's filename, sanitized: metadata only, never a path. */
  @Column('text')
  filename: string;

  /** The type detected from the content (magic bytes, or UTF-8 text), never the client's claim. */
  @Column('text')
  contentType: string;

  @Column('bigint', { transformer: bigintNumber })
  size: number;

  /** SHA-256 of the content, hex; the download's ETag. */
  @Column('text')
  checksum: string;

  /** Never shown to clients. */
  @Column('text')
  storageKey: string;
}

export const DOCUMENT_ENTITIES = [Document];
