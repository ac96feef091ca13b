import { isUuid, SignedTokens } from '@atrium/platform';

/** What an unsubscribe link says: turn off this type's email for this user in this organization. */
export interface UnsubscribeClaims {
  organizationId: string;
  userId: string;
  type: string;
  /** When the mail carrying it was written. */
  issuedAt: Date;
}

/** Two uuids, a type key (at most NOTIFICATION_TYPE_KEY_MAX_LENGTH) and a time in base64url JSON, then the MAC: below this. */
export const UNSUBSCRIBE_TOKEN_MAX_LENGTH = 400;

interface WirePayload {
  o: string;
  u: string;
  t: string;
  iat: number;
}

/**
 * Signs and verifies one-click unsubscribe links (RFC 8058): `u1.<payload>.<mac>` (the platform's SignedTokens, a key
 * of their own). The link carries no secret of the user's; the MAC makes it unforgeable, so it works without signing in.
 */
export class UnsubscribeTokens {
  private readonly tokens: SignedTokens;

  constructor(encryptionKey: Buffer) {
    this.tokens = new SignedTokens(encryptionKey, {
      prefix: 'u1.',
      keyInfo: 'atrium/notification-unsubscribe',
      maxLength: UNSUBSCRIBE_TOKEN_MAX_LENGTH,
    });
  }

  sign(claims: UnsubscribeClaims): string {
    const payload: WirePayload = { o: claims.organizationId, u: claims.userId, t: claims.type, iat: claims.issuedAt.getTime() };
    return this.tokens.sign(payload);
  }

  /** The claims of a token this key signed, or null for anything else (malformed, truncated, tampered, another key). */
  verify(token: unknown): UnsubscribeClaims | null {
    const p = this.tokens.verify(token) as Partial<Record<keyof WirePayload, unknown>> | null;
    if (typeof p !== 'object' || p === null) return null;
    const { o, u, t, iat } = p;
    if (!isUuid(o) || !isUuid(u)) return null;
    if (typeof t !== 'string' || !t || !Number.isSafeInteger(iat)) return null;
    return { organizationId: o, userId: u, type: t, issuedAt: new Date(iat as number) };
  }
}
