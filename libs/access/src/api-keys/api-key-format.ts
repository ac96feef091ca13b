import { randomBytes } from 'node:crypto';
import { hashToken } from '../tokens/opaque-token.js';

const KEY_SHAPE = /^atr_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/;

/** `atr_<8 hex prefix>_<256 random bits>`: the prefix identifies the key in lists, the rest is the secret. */
export function newApiKey(): { key: string; prefix: string; keyHash: string } {
  const prefix = `atr_${randomBytes(4).toString('hex')}`;
  const key = `${prefix}_${randomBytes(32).toString('base64url')}`;
  return { key, prefix, keyHash: hashToken(key) };
}

/** The stored hash of a presented key, or undefined when it cannot be a key (refused without a lookup). */
export function apiKeyHash(presented: string): string | undefined {
  return KEY_SHAPE.test(presented) ? hashToken(presented) : undefined;
}
