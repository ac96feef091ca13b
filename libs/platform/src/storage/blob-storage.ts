import type { Readable } from 'node:stream';

/** An inclusive byte range, as HTTP Range gives it. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where files' bytes live, by opaque key (callers generate keys; a key never comes from a user). The drivers: local
 * disk under DATA_DIR and S3-compatible object storage (STORAGE_DRIVER). Metadata (names, sizes, owners) lives in the
 * database of the feature that stores the file.
 */
export abstract class BlobStorage {
  /** Which driver this is (`local` or `s3`), for logs and health. */
  abstract readonly driver: string;

  /**
   * Stores `body` under `key`, replacing nothing (a key is written once); answers the bytes written. If `body` errors or
   * is destroyed the partial object is removed and the error rethrown.
   */
  abstract put(key: string, body: Readable): Promise<number>;

  /** The object's bytes (or the inclusive `range` of them); throws when it does not exist. */
  abstract get(key: string, range?: ByteRange): Promise<Readable>;

  /** The object's size, or null when there is none under `key`. */
  abstract stat(key: string): Promise<{ size: number } | null>;

  /** Removes the object; removing a missing one is not an error. */
  abstract delete(key: string): Promise<void>;
}

const KEY = /^[a-z0-9][a-z0-9/_-]{0,200}$/;

/** Keys are ours (e.g. `<organization>/<uuid>`): lowercase letters, digits, `/ _ -`, no `..`; anything else is a bug. */
export function assertBlobKey(key: string): void {
  if (!KEY.test(key) || key.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw new Error(`Invalid blob key "${key}"`);
  }
}
