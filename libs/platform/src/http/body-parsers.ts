import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { DomainError } from './domain-error.js';

function bodyError(err: { type?: string; status?: number }): DomainError {
  if (err.type === 'entity.too.large') return new DomainError('payload_too_large', 'payload_too_large', 'Request body is too large');
  if (err.type === 'entity.parse.failed') return new DomainError('bad_request', 'malformed_json', 'Request body is not valid JSON');
  if (err.type === 'encoding.unsupported' || err.type === 'charset.unsupported') {
    return new DomainError('unsupported_media_type', 'unsupported_encoding', 'Unsupported body encoding');
  }
  return new DomainError('bad_request', 'unreadable_body', 'Request body could not be read');
}

const wrap =
  (parser: RequestHandler): RequestHandler =>
  (req: Request, res: Response, next: NextFunction) =>
    parser(req, res, (err?: unknown) => next(err ? bodyError(err) : undefined));

/** JSON and form parsers with the size limit, whose failures become clear 400/413/415 errors. */
export function bodyParsers(limit: string): RequestHandler[] {
  return [wrap(express.json({ limit })), wrap(express.urlencoded({ extended: false, limit }))];
}
