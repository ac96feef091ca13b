import { isUtf8 } from 'node:buffer';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { PlatformError } from '../platform.errors.js';
import type { DomainError } from './domain-error.js';

/** Deeper JSON than this is refused before parsing: class-transformer recurses per level and overflows the stack near 3,000. */
export const MAX_JSON_DEPTH = 64;

/** A body-parser failure of our own, raised from `verify` (body-parser keeps the `type`). */
class BodyRefused extends Error {
  constructor(readonly type: 'body.invalid_utf8' | 'body.too_deep') {
    super(type);
  }
}

function bodyError(err: { type?: string; status?: number }): DomainError {
  if (err.type === 'entity.too.large') return PlatformError.payload_too_large();
  if (err.type === 'entity.parse.failed') return PlatformError.malformed_json();
  if (err.type === 'body.invalid_utf8') return PlatformError.invalid_utf8();
  if (err.type === 'body.too_deep') return PlatformError.body_too_deep();
  if (err.type === 'encoding.unsupported' || err.type === 'charset.unsupported') {
    return PlatformError.unsupported_encoding();
  }
  return PlatformError.unreadable_body();
}

const wrap =
  (parser: RequestHandler): RequestHandler =>
  (req: Request, res: Response, next: NextFunction) =>
    parser(req, res, (err?: unknown) => next(err ? bodyError(err) : undefined));

/** Keeps the exact bytes of a JSON body as `req.rawBody`: signed callbacks are verified on them, not on re-serialized JSON. */
const keepRawBody = (req: Request, _res: Response, buf: Buffer) => {
  (req as Request & { rawBody?: Buffer }).rawBody = buf;
};

/**
 * The deepest nesting of arrays and objects in JSON text, stopping at `limit + 1`: one pass over the bytes, outside
 * strings. Bytes of `[`, `{`, `"`, `\` never occur inside a multi-byte UTF-8 sequence, so the buffer is scanned as is.
 */
export function jsonDepthExceeds(buf: Buffer, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** A JSON body must be UTF-8 (RFC 8259) and nested no deeper than MAX_JSON_DEPTH; replacement characters are never stored. */
const checkJson = (req: Request, res: Response, buf: Buffer) => {
  if (!isUtf8(buf)) throw new BodyRefused('body.invalid_utf8');
  if (jsonDepthExceeds(buf, MAX_JSON_DEPTH)) throw new BodyRefused('body.too_deep');
  keepRawBody(req, res, buf);
};

const checkForm = (req: Request, res: Response, buf: Buffer) => {
  if (!isUtf8(buf)) throw new BodyRefused('body.invalid_utf8');
  keepRawBody(req, res, buf);
};

type Unsafe = { kind: 'prototype' | 'nul'; path: string };

/**
 * The first key that could reach a prototype (`__proto__`, or `prototype` under `constructor`) or the first string or
 * key holding a NUL character (PostgreSQL text and jsonb cannot store it), in one walk; `keys` is the path so far,
 * joined into a string only for what is found (this runs on every request with a body).
 */
function findUnsafe(value: unknown, want: Unsafe['kind'] | 'any', keys: string[] = []): Unsafe | undefined {
  const at = (...more: string[]) => [...keys, ...more].join('.');
  if (typeof value === 'string')
    return want !== 'prototype' && value.includes('\u0000') ? { kind: 'nul', path: at() || '(body)' } : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const key of Object.keys(value)) {
    const child = (value as Record<string, unknown>)[key];
    if (want !== 'nul') {
      if (key === '__proto__') return { kind: 'prototype', path: at(key) };
      if (key === 'constructor' && typeof child === 'object' && child !== null && 'prototype' in child)
        return { kind: 'prototype', path: at(key, 'prototype') };
    }
    if (want !== 'prototype' && key.includes('\u0000')) return { kind: 'nul', path: at(key) };
    if (typeof child !== 'object' && typeof child !== 'string') continue;
    keys.push(key);
    const found = findUnsafe(child, want, keys);
    keys.pop();
    if (found) return found;
  }
  return undefined;
}

/** The path of the first key that could reach a prototype (`__proto__`, or `prototype` under `constructor`), if any. */
export const prototypeKeyPath = (value: unknown): string | undefined => findUnsafe(value, 'prototype')?.path;

/** The path of the first string (or key) holding a NUL character, which PostgreSQL text and jsonb cannot store. */
export const nulPath = (value: unknown): string | undefined => findUnsafe(value, 'nul')?.path;

const refused = (field: string, problem: string) => PlatformError.validation_failed(problem, [{ field, problems: [problem] }]);

/**
 * Refuses a parsed body that names a prototype key, so no later merge or copy can pollute an object with it, and a
 * body or query string with a NUL character, which would reach PostgreSQL and fail there as a 500.
 */
const refuseUnsafeInput: RequestHandler = (req, _res, next) => {
  const unsafe = findUnsafe(req.body, 'any');
  if (unsafe?.kind === 'prototype') return next(refused(unsafe.path, `property ${unsafe.path} is not allowed`));
  if (unsafe) return next(refused(unsafe.path, `${unsafe.path} must not contain a NUL character`));
  if (/%00/i.test(req.url)) {
    const query = new URL(req.url, 'http://localhost').searchParams;
    const field = [...query.entries()].find(([k, v]) => `${k}${v}`.includes('\u0000'))?.[0] ?? '(path)';
    return next(refused(field, `${field} must not contain a NUL character`));
  }
  next();
};

/** Whether a request announces a body, as body-parser decides it (type-is `hasBody`): a length, even 0, or chunks. */
const announcesBody = (req: Request) =>
  req.headers['transfer-encoding'] !== undefined || !Number.isNaN(Number(req.headers['content-length'] ?? NaN));

/**
 * JSON and form parsers with the size limit, whose failures become clear 400/413/415 errors, then the unsafe-input
 * check, as one middleware: a request without a body (most GETs) goes straight to the check of its query string.
 */
export function bodyParsers(limit: string): RequestHandler {
  const json = wrap(express.json({ limit, verify: checkJson }));
  const form = wrap(express.urlencoded({ extended: false, limit, verify: checkForm }));
  return (req, res, next) => {
    if (!announcesBody(req)) return refuseUnsafeInput(req, res, next);
    json(req, res, (err?: unknown) => {
      if (err) return next(err);
      form(req, res, (err2?: unknown) => (err2 ? next(err2) : refuseUnsafeInput(req, res, next)));
    });
  };
}

/**
 * For routes that verify signatures on bodies of any type (signed webhooks): reads a body the JSON and form parsers
 * left alone as bytes (`req.body` and `req.rawBody` both the Buffer), with the same 413 past `limit`.
 */
export function rawBodyParser(limit: string): RequestHandler {
  return wrap(express.raw({ type: () => true, limit, verify: keepRawBody }));
}
