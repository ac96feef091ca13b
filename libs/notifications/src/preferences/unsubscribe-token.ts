import { createHmac, createSecretKey, hkdfSync, type KeyObject, timingSafeEqual } from 'node:crypto';

/** What an unsubscribe link says: turn off this type's email for this user in this organization. */
export interface UnsubscribeClaims {
  organizationId: string;
  userId: string;
  type: string;
  /** When the mail carrying it was written. */
  issuedAt: Date;
}

const PREFIX = 'u1.';
const KEY_INFO = 'atrium/notification-unsubscribe';
/** Two uuids, a type key and a time in base64url JSON, then the MAC: far below this. */
export const UNSUBSCRIBE_TOKEN_MAX_LENGTH = 400;
/** The MAC is always 43 characters: 32 bytes in base64url. */
const PATTERN = /^u1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface WirePayload {
  o: string;
  u: string;
  t: string;
  iat: number;
}

/**
 * Signs and verifies one-click unsubscribe links (RFC 8058): `u1.<payload>.<mac>`, the payload base64url JSON, the MAC
 * base64url HMAC-SHA256 over `u1.<payload>` with a key derived once (HKDF-SHA256) from the app's encryption key. The
 * link carries no secret of the user's; the MAC makes it unforgeable, so it works without signing in.
 */
export class UnsubscribeTokens {
  private readonly key: KeyObject;

  constructor(encryptionKey: Buffer) {
    if (encryptionKey.length < 32) throw new Error('The encryption key must be at least 32 bytes');
    this.key = createSecretKey(Buffer.from(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), KEY_INFO, 32)));
  }

  sign(claims: UnsubscribeClaims): string {
    const payload: WirePayload = { o: claims.organizationId, u: claims.userId, t: claims.type, iat: claims.issuedAt.getTime() };
    const signed = PREFIX + Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    return `${signed}.${this.mac(signed)}`;
  }

  /** The claims of a token this key signed, or null for anything else (malformed, truncated, tampered, another key). */
  verify(token: unknown): UnsubscribeClaims | null {
    if (typeof token !== 'string' || token.length > UNSUBSCRIBE_TOKEN_MAX_LENGTH || !PATTERN.test(token)) return null;
    const dot = token.lastIndexOf('.');
    const signed = token.slice(0, dot);
    // Compared as text: base64url's last character has spare bits, so two spellings would decode alike.
    const given = Buffer.from(token.slice(dot + 1), 'latin1');
    const expected = Buffer.from(this.mac(signed), 'latin1');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    let p: Partial<Record<keyof WirePayload, unknown>>;
    try {
      p = JSON.parse(Buffer.from(signed.slice(PREFIX.length), 'base64url').toString('utf8')) as typeof p;
    } catch {
      return null;
    }
    if (typeof p !== 'object' || p === null) return null;
    const { o, u, t, iat } = p;
    if (typeof o !== 'string' || !UUID.test(o) || typeof u !== 'string' || !UUID.test(u)) return null;
    if (typeof t !== 'string' || !t || !Number.isSafeInteger(iat)) return null;
    return { organizationId: o, userId: u, type: t, issuedAt: new Date(iat as number) };
  }

  private mac(signed: string): string {
    return createHmac('sha256', this.key).update(signed, 'latin1').digest('base64url');
  }
}
