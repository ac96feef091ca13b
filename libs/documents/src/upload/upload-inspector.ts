import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { SNIFF_BYTES, type Sniffed, sniffContent, textContentType, Utf8TextCheck } from './content-sniffer.js';
import { DocumentsError } from '../documents.errors.js';

/** Buffered between the parser and storage: enough for storage to write in large batches, small next to the file. */
export const STREAM_BUFFER_BYTES = 1024 * 1024;

/**
 * Sits between the uploaded file and blob storage: counts bytes (failing with 413 `file_too_large` at the first byte past
 * `maxBytes`), hashes them (SHA-256), holds back the first SNIFF_BYTES until the sniffer accepts the type (else 415
 * `unsupported_file_type`, before anything reaches storage), and for text checks every later byte too.
 */
export class UploadInspector extends Transform {
  bytes = 0;
  private readonly hash = createHash('sha256');
  private head: Buffer[] = [];
  private headBytes = 0;
  private sniffed: Sniffed | undefined;
  private text: Utf8TextCheck | undefined;

  constructor(
    private readonly maxBytes: number | null,
    private readonly filename: string,
  ) {
    super({ highWaterMark: STREAM_BUFFER_BYTES });
  }

  /** The detected type (set once the file was accepted). */
  get contentType(): string {
    if (this.sniffed?.kind === 'binary') return this.sniffed.contentType;
    if (this.sniffed?.kind === 'text') return textContentType(this.filename);
    throw new Error('The upload has not been inspected');
  }

  get checksum(): string {
    return this.hash.copy().digest('hex');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.maxBytes !== null && this.bytes > this.maxBytes) return done(this.tooLarge());
    this.hash.update(chunk);
    if (this.sniffed) return done(this.checkText(chunk), chunk);
    this.head.push(chunk);
    this.headBytes += chunk.length;
    if (this.headBytes < SNIFF_BYTES) return done();
    this.release(false, done);
  }

  override _flush(done: TransformCallback): void {
    if (this.sniffed) return done(this.text && !this.text.end() ? this.refused('it is not UTF-8 text') : undefined);
    if (this.headBytes === 0) return done();
    this.release(true, done);
  }

  /** Sniffs the held head, then passes it on (or fails). */
  private release(complete: boolean, done: TransformCallback): void {
    const head = Buffer.concat(this.head);
    this.head = [];
    sniffContent(head, complete).then(
      (sniffed) => {
        this.sniffed = sniffed;
        if (sniffed.kind === 'refused') return done(this.refused(sniffed.reason));
        if (sniffed.kind === 'text') {
          this.text = new Utf8TextCheck();
          const bad = this.checkText(head) ?? (complete && !this.text.end() ? this.refused('it is not UTF-8 text') : undefined);
          if (bad) return done(bad);
        }
        done(null, head);
      },
      (err: Error) => done(err),
    );
  }

  private checkText(chunk: Buffer): Error | undefined {
    if (!this.text || this.text.update(chunk)) return undefined;
    return this.refused('it is not UTF-8 text without NUL bytes');
  }

  private refused(reason: string): Error {
    return DocumentsError.unsupported_file_type(undefined, { filename: this.filename, reason });
  }

  private tooLarge(): Error {
    return DocumentsError.file_too_large(`The file is larger than your package's per-file limit of ${this.maxBytes} bytes`, {
      limit: this.maxBytes,
    });
  }
}
