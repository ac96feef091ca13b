import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { crc32, deflateRawSync } from 'node:zlib';

/** A ZIP archive of `entries` (deflated), as Office and zip tools write them: local headers, central directory, end record. */
export function zipOf(entries: Array<[name: string, content: string | Buffer]>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of entries) {
    const raw = Buffer.from(content);
    const data = deflateRawSync(raw);
    const nameBytes = Buffer.from(name, 'utf8');
    const crc = crc32(raw);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

const OOXML = {
  docx: ['word/document.xml', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml'],
  xlsx: ['xl/workbook.xml', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml'],
  pptx: ['ppt/presentation.xml', 'application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml'],
} as const;

/** A minimal Office Open XML package of the kind, `[Content_Types].xml` first as Office writes it. */
export function ooxml(kind: keyof typeof OOXML): Buffer {
  const [part, type] = OOXML[kind];
  const types =
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
    `<Override PartName="/${part}" ContentType="${type}"/></Types>`;
  return zipOf([
    ['[Content_Types].xml', types],
    ['_rels/.rels', '<?xml version="1.0"?><Relationships/>'],
    [part, '<?xml version="1.0"?><root/>'],
  ]);
}

const png1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/** One small, real file of every allowed type: [name, bytes, the type Atrium detects]. */
export const ALLOWED_SAMPLES: Array<[string, Buffer, string]> = [
  ['report.pdf', Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'), 'application/pdf'],
  ['pixel.png', png1x1, 'image/png'],
  [
    'photo.jpg',
    Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0'), Buffer.alloc(32)]),
    'image/jpeg',
  ],
  ['anim.gif', Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64'), 'image/gif'],
  ['photo.webp', Buffer.concat([Buffer.from('RIFF'), Buffer.from([26, 0, 0, 0]), Buffer.from('WEBPVP8 '), Buffer.alloc(18)]), 'image/webp'],
  ['letter.docx', ooxml('docx'), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  ['sheet.xlsx', ooxml('xlsx'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  ['deck.pptx', ooxml('pptx'), 'application/vnd.openxmlformats-officedocument.presentationml.presentation'],
  [
    'bundle.zip',
    zipOf([
      ['notes.txt', 'hello'],
      ['data/numbers.csv', 'a,b\n1,2\n'],
    ]),
    'application/zip',
  ],
  ['notes.txt', Buffer.from('Plain notes — zażółć gęślą jaźń ✓\n'), 'text/plain; charset=utf-8'],
  ['table.csv', Buffer.from('name,amount\nAnn,12\nBob,7\n'), 'text/csv; charset=utf-8'],
  ['readme.md', Buffer.from('# Title\n\nSome *Markdown* with `code`.\n'), 'text/markdown; charset=utf-8'],
];

/** A Windows executable's start (MZ header with a PE signature), enough for magic-byte detection. */
export function windowsExe(tail: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(256);
  head.write('MZ', 0, 'latin1');
  head.writeUInt32LE(0x80, 0x3c);
  head.write('PE\0\0', 0x80, 'latin1');
  return Buffer.concat([head, tail]);
}

/** Files that must be refused, with why: [name, bytes]. */
export const REFUSED_SAMPLES: Array<[string, string, Buffer]> = [
  ['a renamed Windows executable', 'invoice.pdf', windowsExe()],
  ['an ELF executable', 'tool.txt', Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(120)])],
  ['an executable with a PDF appended (polyglot)', 'statement.pdf', windowsExe(Buffer.from('%PDF-1.4\n%%EOF\n'))],
  [
    'an HTML page with a PDF trailer (polyglot)',
    'statement.pdf',
    Buffer.from('<html><body><script>alert(1)</script></body></html>\n%PDF-1.4\n%%EOF\n'),
  ],
  [
    'an SVG with script',
    'logo.svg',
    Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(document.cookie)</script></svg>'),
  ],
  ['an SVG with an XML declaration', 'logo.png', Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>')],
  ['an HTML page', 'page.txt', Buffer.from('<!DOCTYPE html>\n<html><head><title>x</title></head><body>hi</body></html>')],
  [
    'text hiding a script after its first line',
    'notes.md',
    Buffer.from('Quarterly notes\n\n<script src="https://evil.example/x.js"></script>\n'),
  ],
  ['text with a NUL byte', 'notes.txt', Buffer.from('hello\u0000world')],
  ['bytes that are not UTF-8', 'latin1.csv', Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x0a, 0xe9, 0x74, 0xe9, 0x0a])],
  [
    'a Java archive',
    'lib.zip',
    zipOf([
      ['META-INF/MANIFEST.MF', 'Manifest-Version: 1.0\n'],
      ['A.class', 'x'],
    ]),
  ],
];

/** One part of a multipart body; `filenameStar` sends the name RFC 5987-encoded (`filename*=UTF-8''…`), as busboy decodes it. */
export interface Part {
  name: string;
  data: Buffer | string;
  filename?: string;
  filenameStar?: string;
  contentType?: string;
}

export const BOUNDARY = '----atrium-test-boundary-7MA4YWxkTrZu0gW';
export const MULTIPART_TYPE = `multipart/form-data; boundary=${BOUNDARY}`;

/** The bytes that open a part (its boundary and headers). */
export function partHead(p: Omit<Part, 'data'>): Buffer {
  let disposition = `form-data; name="${p.name}"`;
  if (p.filename !== undefined) disposition += `; filename="${p.filename}"`;
  if (p.filenameStar !== undefined) disposition += `; filename*=UTF-8''${p.filenameStar}`;
  const type =
    p.filename !== undefined || p.filenameStar !== undefined ? `Content-Type: ${p.contentType ?? 'application/octet-stream'}\r\n` : '';
  return Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`, 'utf8');
}

export const MULTIPART_END = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);

export function multipart(parts: Part[]): Buffer {
  const chunks: Buffer[] = [];
  parts.forEach((p, i) => chunks.push(i ? Buffer.from('\r\n') : Buffer.alloc(0), partHead(p), Buffer.from(p.data)));
  return Buffer.concat([...chunks, MULTIPART_END]);
}

/** POSTs a multipart body to the documents route as an SPA would (fetch), answering status, JSON body and headers. */
export async function postDocument(
  baseUrl: string,
  token: string,
  parts: Part[],
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${baseUrl}/api/v1/organizations/me/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': MULTIPART_TYPE },
    body: new Uint8Array(multipart(parts)),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

/** Uploads one file with a title: the usual case. */
export function uploadFile(baseUrl: string, token: string, filename: string, bytes: Buffer, title = `Doc ${filename}`) {
  return postDocument(baseUrl, token, [
    { name: 'title', data: title },
    { name: 'file', filename, data: bytes },
  ]);
}

const PDF_HEAD = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1');
const ZEROS = Buffer.alloc(256 * 1024);

/** A PDF-typed file of `size` bytes (its header, then zeros), generated as it is read: nothing of it sits in memory. */
export function* generatedPdf(size: number, hash?: ReturnType<typeof createHash>): Generator<Buffer> {
  let left = size;
  for (
    let chunk: Buffer = PDF_HEAD.subarray(0, Math.min(size, PDF_HEAD.length));
    left > 0;
    chunk = ZEROS.subarray(0, Math.min(left, ZEROS.length))
  ) {
    hash?.update(chunk);
    left -= chunk.length;
    yield chunk;
  }
}

/**
 * Uploads a generated `size`-byte PDF over node:http with backpressure (a real client streaming a large file), with a
 * Content-Length unless `chunked`. With `sendBytes`, only that much of the file is sent before waiting for the answer
 * (a server that refuses by Content-Length answers without reading the rest). `path` sends it elsewhere (the bench's
 * transport baselines). Answers status, body and the SHA-256 sent.
 */
export function streamUpload(
  baseUrl: string,
  token: string,
  size: number,
  opts: { chunked?: boolean; sendBytes?: number; title?: string; path?: string } = {},
): Promise<{ status: number; body: any; sha256: string }> {
  const head = Buffer.concat([
    partHead({ name: 'title' }),
    Buffer.from(opts.title ?? 'Generated upload'),
    Buffer.from('\r\n'),
    partHead({ name: 'file', filename: 'large.pdf', contentType: 'application/pdf' }),
  ]);
  const hash = createHash('sha256');
  const url = new URL(`${baseUrl}${opts.path ?? '/api/v1/organizations/me/documents'}`);
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': MULTIPART_TYPE,
        ...(opts.chunked ? {} : { 'content-length': String(head.length + size + MULTIPART_END.length) }),
      },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, sha256: hash.digest('hex') });
        req.destroy();
      });
    });
    req.on('error', reject);
    const body = generatedPdf(Math.min(size, opts.sendBytes ?? size), hash);
    const write = () => {
      for (;;) {
        const next = body.next();
        if (next.done) {
          if (opts.sendBytes === undefined) req.end(MULTIPART_END);
          return;
        }
        if (!req.write(next.value)) return void req.once('drain', write);
      }
    };
    req.write(head);
    write();
  });
}
