import type { IncomingHttpHeaders } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import type { Download, DownloadRequest } from './document-downloads.js';

/** RFC 5987 `value-chars`: percent-encodes everything but unreserved characters. */
const rfc5987 = (s: string) => encodeURIComponent(s).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** `attachment` with an ASCII fallback name and the real one as UTF-8 (RFC 6266). The name was sanitized at upload. */
export function attachmentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${rfc5987(filename)}`;
}

export function downloadRequest({ method, headers }: { method: string; headers: IncomingHttpHeaders }): DownloadRequest {
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(',') : v);
  return {
    headOnly: method === 'HEAD',
    range: one(headers.range),
    ifRange: one(headers['if-range']),
    ifNoneMatch: one(headers['if-none-match']),
  };
}

/**
 * Writes a download: 304 when the client's copy is current, 206 with Content-Range for a range, else 200 (headers only for
 * HEAD); always as an attachment of the detected type that the browser must not sniff or render in our origin.
 */
export async function sendDownload(res: Response, download: Download): Promise<void> {
  const { document, etag, range, body } = download;
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', 'private, no-cache');
  if (download.notModified) {
    res.status(304).end();
    return;
  }
  res.setHeader('Content-Type', document.contentType);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Disposition', attachmentDisposition(document.filename));
  res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  res.setHeader('Accept-Ranges', 'bytes');
  if (range) {
    res.status(206);
    res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${document.size}`);
    res.setHeader('Content-Length', String(range.end - range.start + 1));
  } else {
    res.status(200);
    res.setHeader('Content-Length', String(document.size));
  }
  if (!body) {
    res.end();
    return;
  }
  try {
    await pipeline(body, res);
  } catch {
    // The client went away mid-download (it may resume with a Range); nothing more to send.
    body.destroy();
  }
}
