import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertBlobKey, BlobStorage, type ByteRange } from './blob-storage.js';

const WRITE_BUFFER_BYTES = 1024 * 1024;

/** Objects as files under one directory (`<DATA_DIR>/uploads` by default), one file per key. */
export class LocalBlobStorage extends BlobStorage {
  readonly driver = 'local';

  constructor(private readonly root: string) {
    super();
  }

  async put(key: string, body: Readable): Promise<number> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    // `wx`: a key is written once; a second writer of the same key fails instead of mixing bytes. A 1 MiB buffer lets
    // the stream gather a network read's many small chunks into one writev instead of a system call each.
    const out = createWriteStream(path, { flags: 'wx', highWaterMark: WRITE_BUFFER_BYTES });
    try {
      await pipeline(body, out);
    } catch (err) {
      await rm(path, { force: true });
      throw err;
    }
    return out.bytesWritten;
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const path = this.path(key);
    await stat(path);
    return createReadStream(path, range ? { start: range.start, end: range.end } : {});
  }

  async stat(key: string): Promise<{ size: number } | null> {
    try {
      const s = await stat(this.path(key));
      return { size: s.size };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  private path(key: string): string {
    assertBlobKey(key);
    return join(this.root, key);
  }
}
