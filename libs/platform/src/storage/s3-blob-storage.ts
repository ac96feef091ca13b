import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, NotFound, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { assertBlobKey, BlobStorage, type ByteRange } from './blob-storage.js';

/** Where and how to reach an S3-compatible bucket (AWS S3, MinIO, …). */
export interface S3Settings {
  bucket: string;
  region: string;
  /** Another S3-compatible service (MinIO): addressed by path (`<endpoint>/<bucket>/<key>`), as those expect. */
  endpoint?: string;
  /** Without them the SDK's default chain applies (environment, instance role, …). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** 8 MiB parts, 2 in flight: a stream of any length uploads with ~16 MiB buffered at most. */
const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 2;

/** Objects in one S3 bucket; streams of unknown length go up as multipart uploads (lib-storage's Upload). */
export class S3BlobStorage extends BlobStorage {
  readonly driver = 's3';
  private readonly client: S3Client;

  constructor(private readonly settings: S3Settings) {
    super();
    this.client = new S3Client({
      region: settings.region,
      endpoint: settings.endpoint,
      forcePathStyle: Boolean(settings.endpoint),
      credentials: settings.credentials,
      // The default (WHEN_SUPPORTED) frames a streamed body as aws-chunked with a trailing checksum, which S3-compatible
      // services store verbatim inside the object; callers hash the content themselves.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async put(key: string, body: Readable): Promise<number> {
    assertBlobKey(key);
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        done(null, chunk);
      },
    });
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.settings.bucket, Key: key, Body: counter },
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
    });
    try {
      await Promise.all([pipeline(body, counter), upload.done()]);
    } catch (err) {
      // An aborted multipart upload leaves no object; a single-part one that did land is removed.
      await upload.abort().catch(() => undefined);
      await this.delete(key).catch(() => undefined);
      throw err;
    }
    return bytes;
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    assertBlobKey(key);
    const res = await this.client.send(
      new GetObjectCommand({ Bucket: this.settings.bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }),
    );
    return res.Body as Readable;
  }

  async stat(key: string): Promise<{ size: number } | null> {
    assertBlobKey(key);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: key }));
      return { size: head.ContentLength ?? 0 };
    } catch (err) {
      if (err instanceof NotFound || (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    assertBlobKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: key }));
  }

  /** Closes the client's sockets. */
  close(): void {
    this.client.destroy();
  }
}
