import { Injectable } from '@nestjs/common';
import { AppConfig, Clock, isUuid, SignedTokens } from '@atrium/platform';
import { DocumentsConfig } from '../documents.config.js';

/** How long a signed download link works. */
export const DOWNLOAD_LINK_TTL_SECONDS = 5 * 60;

/** What a signed download link grants: this document of this organization, until `expiresAt`; `userId` asked for it. */
export interface DownloadClaims {
  organizationId: string;
  documentId: string;
  userId: string | null;
  expiresAt: Date;
}

interface WirePayload {
  o: string;
  d: string;
  u: string | null;
  exp: number;
}

/**
 * Signed download links (`d1.<payload>.<mac>`, the platform's SignedTokens with a key of their own) for clients that
 * cannot send an Authorization header (an `<a href>`, an `<img src>`): valid DOWNLOAD_LINK_TTL_SECONDS.
 */
@Injectable()
export class DocumentLinks {
  private readonly tokens: SignedTokens;

  constructor(
    app: AppConfig,
    private readonly config: DocumentsConfig,
    private readonly clock: Clock,
  ) {
    this.tokens = new SignedTokens(app.encryptionKey, { prefix: 'd1.', keyInfo: 'atrium/document-download', maxLength: 400 });
  }

  issue(organizationId: string, documentId: string, userId: string | null): { url: string; expiresAt: Date } {
    const expiresAt = new Date(Math.floor(this.clock.now().getTime() / 1000) * 1000 + DOWNLOAD_LINK_TTL_SECONDS * 1000);
    const payload: WirePayload = { o: organizationId, d: documentId, u: userId, exp: expiresAt.getTime() / 1000 };
    return { url: `${this.config.publicUrl}/api/v1/documents/download?token=${this.tokens.sign(payload)}`, expiresAt };
  }

  /** The claims of an unexpired link we signed, or null (malformed, tampered, another key, expired). */
  verify(token: unknown): DownloadClaims | null {
    const p = this.tokens.verify(token) as Partial<Record<keyof WirePayload, unknown>> | null;
    if (typeof p !== 'object' || p === null) return null;
    const { o, d, u, exp } = p;
    if (!isUuid(o) || !isUuid(d) || !(u === null || isUuid(u)) || !Number.isSafeInteger(exp)) return null;
    const expiresAt = new Date((exp as number) * 1000);
    if (expiresAt <= this.clock.now()) return null;
    return { organizationId: o, documentId: d, userId: u, expiresAt };
  }
}
