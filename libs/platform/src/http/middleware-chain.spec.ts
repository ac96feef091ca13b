import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { beforeEach, describe, expect, it } from 'vitest';
import { middlewareChain } from './middleware-chain.js';

const req = {} as Request;
const res = {} as Response;
let calls: string[] = [];

function run(chain: RequestHandler): { calls: string[]; outcome: unknown[] } {
  const outcome: unknown[] = [];
  chain(req, res, ((err?: unknown) => outcome.push(err ?? 'next')) as NextFunction);
  return { calls, outcome };
}
const step =
  (name: string): RequestHandler =>
  (_req, _res, next) => {
    calls.push(name);
    next();
  };

describe('middlewareChain', () => {
  beforeEach(() => {
    calls = [];
  });

  it('runs every middleware in order, then calls on once', () => {
    expect(run(middlewareChain(step('a'), step('b'), step('c')))).toEqual({ calls: ['a', 'b', 'c'], outcome: ['next'] });
  });

  it('goes on when a middleware calls on later (a body read from its stream)', async () => {
    const later: RequestHandler = (_req, _res, next) => void setImmediate(() => next());
    const outcome: unknown[] = [];
    await new Promise<void>((done) =>
      middlewareChain(step('a'), later, step('c'))(req, res, ((err?: unknown) => {
        outcome.push(err ?? 'next');
        done();
      }) as NextFunction),
    );
    expect({ calls, outcome }).toEqual({ calls: ['a', 'c'], outcome: ['next'] });
  });

  it('passes a failure on and skips the rest, whether passed to next or thrown', () => {
    const failure = new Error('refused');
    const passes: RequestHandler = (_req, _res, next) => next(failure);
    expect(run(middlewareChain(step('a'), passes, step('c')))).toEqual({ calls: ['a'], outcome: [failure] });
    calls = [];
    const throws: RequestHandler = () => {
      throw failure;
    };
    expect(run(middlewareChain(step('a'), throws, step('c')))).toEqual({ calls: ['a'], outcome: [failure] });
  });

  it('calls on at once when it holds nothing', () => {
    expect(run(middlewareChain())).toEqual({ calls: [], outcome: ['next'] });
  });

  it('passes a rejected async middleware on, as Express 5 does between layers', async () => {
    const failure = new Error('rejected');
    const rejects: RequestHandler = async () => {
      await Promise.resolve();
      throw failure;
    };
    const outcome = await new Promise<unknown>((done) =>
      middlewareChain(step('a'), rejects, step('c'))(req, res, ((err?: unknown) => done(err ?? 'next')) as NextFunction),
    );
    expect({ calls, outcome }).toEqual({ calls: ['a'], outcome: failure });
  });

  it('fails a middleware whose promise rejects with a falsy value, instead of going on', async () => {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the case under test
    const rejectsEmpty: RequestHandler = () => Promise.reject(false);
    const outcome = await new Promise<unknown>((done) =>
      middlewareChain(step('a'), rejectsEmpty, step('c'))(req, res, ((err?: unknown) => done(err ?? 'next')) as NextFunction),
    );
    expect(calls).toEqual(['a']);
    expect(outcome).toBeInstanceOf(Error);
    expect((outcome as Error).message).toBe('Rejected promise');
  });
});
