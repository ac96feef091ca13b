import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Express middlewares run in order as one middleware: the router matches, traces and dispatches a layer per `app.use`
 * (a match object, a parameter pass and a handler call each), which every request paid for each of the edge's five.
 * A failure (passed on, thrown, or a returned promise's rejection) skips the rest and goes to Express's error
 * handling, as Express 5 does between layers.
 */
export function middlewareChain(...handlers: RequestHandler[]): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    let index = 0;
    const step = (err?: unknown): void => {
      if (err) return next(err);
      const handler = handlers[index++];
      if (!handler) return next();
      try {
        const returned: unknown = handler(req, res, step);
        // As Express 5's router does: any thenable, and a falsy rejection still fails (it would otherwise read as "go on").
        if (typeof (returned as PromiseLike<unknown> | null)?.then === 'function')
          (returned as PromiseLike<unknown>).then(undefined, (rejection: unknown) => next(rejection || new Error('Rejected promise')));
      } catch (thrown) {
        next(thrown);
      }
    };
    step();
  };
}
