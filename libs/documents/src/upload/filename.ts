/** The longest filename kept, in UTF-8 bytes (most filesystems allow 255; headers carry it percent-encoded). */
export const MAX_FILENAME_BYTES = 200;

/** Used when nothing of the given name survives. */
export const FALLBACK_FILENAME = 'document';

// C0 and C1 controls (NUL, CR, LF, TAB, …), and the bidirectional overrides, embeddings and isolates plus the marks
// that make `evil\u202Efdp.exe` display as `evilexe.pdf`.
const CONTROL = /\p{Cc}/gu;
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * The uploader's filename as we keep it (metadata only: blobs are stored under generated keys): the last path
 * segment (both `/` and `\`), without controls, bidi marks or leading dots (so no `..`, no hidden files),
 * whitespace collapsed, and at most MAX_FILENAME_BYTES of UTF-8 with the extension kept.
 */
export function sanitizeFilename(raw: string | undefined | null): string {
  let name = (raw ?? '').normalize('NFC').replace(CONTROL, '').replace(BIDI, '');
  name = name.split(/[/\\]/).pop() ?? '';
  name = name
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  if (!name) return FALLBACK_FILENAME;
  return capBytes(name, MAX_FILENAME_BYTES);
}

/** Lowercase extension without the dot ('' when none). */
export function extensionOf(filename: string): string {
  const dot = filename.lastIndexOf('.');
  return dot > 0 ? filename.slice(dot + 1).toLowerCase() : '';
}

function capBytes(name: string, max: number): string {
  if (Buffer.byteLength(name) <= max) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  let stem = [...name.slice(0, name.length - ext.length)];
  while (stem.length && Buffer.byteLength(stem.join('') + ext) > max) stem = stem.slice(0, -1);
  return stem.join('').trimEnd() + ext;
}
