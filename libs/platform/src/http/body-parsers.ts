import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { PlatformError } from '../platform.errors.js';
import type { DomainError } from './domain-error.js';

function bodyError(err: { type?: string; status?: number }): DomainError {
  if (err.type === 'entity.too.large') return PlatformError.payload_too_large();
  if (err.type === 'entity.parse.failed') return PlatformError.malformed_json();
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

/** JSON and form parsers with the size limit, whose failures become clear 400/413/415 errors. */
export function bodyParsers(limit: string): RequestHandler[] {
  return [wrap(express.json({ limit, verify: keepRawBody })), wrap(express.urlencoded({ extended: false, limit, verify: keepRawBody }))];
}

/**
 * For routes that verify signatures on bodies of any type (signed webhooks): reads a body the JSON and form parsers
 * left alone as bytes (`req.body` and `req.rawBody` both the Buffer), with the same 413 past `limit`.
 */
export function rawBodyParser(limit: string): RequestHandler {
  return wrap(express.raw({ type: () => true, limit, verify: keepRawBody }));
}
