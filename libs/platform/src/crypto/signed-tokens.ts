import { createHmac, createSecretKey, hkdfSync, type KeyObject, timingSafeEqual } from 'node:crypto';

/**
 * Stateless signed tokens: `<prefix><payload>.<mac>`, the payload base64url JSON, the MAC base64url HMAC-SHA256 over
 * `<prefix><payload>` with a key derived once (HKDF-SHA256, `keyInfo` apart per use) from the app's encryption key.
 * The MAC makes a token unforgeable; it carries no secret of its own (its payload is readable). Each use (a quote, an
 * unsubscribe link) checks the payload's shape itself.
 */
export class SignedTokens {
  /** A KeyObject, not a Buffer: `createHmac` re-imports a Buffer key on every call (measured ~30 µs vs ~4 µs a MAC). */
  private readonly key: KeyObject;
  /** The MAC is always 43 characters: 32 bytes in base64url. */
  private readonly pattern: RegExp;

  constructor(
    encryptionKey: Buffer,
    private readonly opts: { prefix: string; keyInfo: string; maxLength: number },
  ) {
    if (encryptionKey.length < 32) throw new Error('The encryption key must be at least 32 bytes');
    if (!/^[a-z][a-z0-9]*\.$/.test(opts.prefix)) throw new Error(`Token prefix "${opts.prefix}" is not <letters>.`);
    this.key = createSecretKey(Buffer.from(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), opts.keyInfo, 32)));
    this.pattern = new RegExp(`^${opts.prefix.replace('.', '\\.')}[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{43}$`);
  }

  /** Signs `payload`; throws when the token would be longer than `maxLength` (a programming error). */
  sign(payload: object): string {
    const signed = this.opts.prefix + Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    const token = `${signed}.${this.mac(signed)}`;
    if (token.length > this.opts.maxLength)
      throw new Error(`A ${this.opts.prefix} token is ${token.length} characters, over ${this.opts.maxLength}`);
    return token;
  }

  /** The payload of a token this key signed with this prefix, or null for anything else (malformed, truncated, tampered, another key). */
  verify(token: unknown): unknown {
    if (typeof token !== 'string' || token.length > this.opts.maxLength || !this.pattern.test(token)) return null;
    const dot = token.lastIndexOf('.');
    const signed = token.slice(0, dot);
    // Compared as text, not as decoded bytes: base64url's last character has spare bits, so two spellings decode alike.
    const given = Buffer.from(token.slice(dot + 1), 'latin1');
    const expected = Buffer.from(this.mac(signed), 'latin1');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    try {
      return JSON.parse(Buffer.from(signed.slice(this.opts.prefix.length), 'base64url').toString('utf8')) as unknown;
    } catch {
      return null;
    }
  }

  private mac(signed: string): string {
    return createHmac('sha256', this.key).update(signed, 'latin1').digest('base64url');
  }
}
