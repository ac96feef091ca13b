import { fileTypeFromBuffer } from 'file-type';
import { extensionOf } from './filename.js';

/** How much of the start of a file the sniffer reads: magic bytes, and the first entries of a ZIP (OOXML's content types). */
export const SNIFF_BYTES = 16 * 1024;

/** What file-type reports, mapped to the type we store and serve: the allowlist. */
const BINARY_TYPES: Record<string, string> = {
  'application/pdf': 'application/pdf',
  'image/png': 'image/png',
  'image/jpeg': 'image/jpeg',
  'image/gif': 'image/gif',
  'image/webp': 'image/webp',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document':
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation':
    'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/zip': 'application/zip',
};

/** Text flavours, by the name's extension once the content proved to be text (content cannot tell CSV from prose). */
const TEXT_TYPES: Record<string, string> = {
  csv: 'text/csv; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  markdown: 'text/markdown; charset=utf-8',
};
const PLAIN_TEXT = 'text/plain; charset=utf-8';

/**
 * Markup a browser would render or run: HTML and SVG documents (starting with a tag or an XML declaration), and script,
 * SVG or embedding tags anywhere in the first bytes (a page hiding after a line of text, a polyglot).
 */
const MARKUP_START = /^\s*<(?:!doctype\s|html[\s>]|head[\s>]|body[\s>]|\?xml\s|svg[\s>])/i;
const MARKUP_ANYWHERE = /<\s*(?:script|svg|html|iframe|object|embed)[\s>/]/i;

export type Sniffed =
  /** An allowed binary type, by its magic bytes. */
  | { kind: 'binary'; contentType: string }
  /** No magic bytes and the head is UTF-8 text without NUL or markup: the rest must stay so (Utf8TextCheck). */
  | { kind: 'text' }
  | { kind: 'refused'; reason: string };

/** Classifies a file by its first bytes (`head`: up to SNIFF_BYTES; `complete` when it is the whole file). */
export async function sniffContent(head: Buffer, complete: boolean): Promise<Sniffed> {
  const detected = await fileTypeFromBuffer(head);
  if (detected) {
    const contentType = BINARY_TYPES[detected.mime];
    return contentType ? { kind: 'binary', contentType } : { kind: 'refused', reason: `${detected.mime} is not accepted` };
  }
  const text = new Utf8TextCheck();
  if (!text.update(head) || (complete && !text.end())) return { kind: 'refused', reason: 'not a known file type, nor UTF-8 text' };
  if (MARKUP_START.test(text.decoded) || MARKUP_ANYWHERE.test(text.decoded)) return { kind: 'refused', reason: 'HTML, SVG or XML markup' };
  return { kind: 'text' };
}

/** The stored type of a text file: CSV or Markdown by its extension, else plain text. */
export function textContentType(filename: string): string {
  return TEXT_TYPES[extensionOf(filename)] ?? PLAIN_TEXT;
}

/** Streams a file through a strict UTF-8 decoder: false once a byte sequence is not UTF-8 or a NUL appears. */
export class Utf8TextCheck {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  /** What was decoded so far, only while it is short (the sniffer reads the head's text). */
  decoded = '';

  update(chunk: Uint8Array): boolean {
    if (chunk.includes(0)) return false;
    try {
      const s = this.decoder.decode(chunk, { stream: true });
      if (this.decoded.length < SNIFF_BYTES) this.decoded += s;
      return true;
    } catch {
      return false;
    }
  }

  /** False when the file ends inside a multi-byte character. */
  end(): boolean {
    try {
      this.decoder.decode();
      return true;
    } catch {
      return false;
    }
  }
}
