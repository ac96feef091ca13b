import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Express middlewares run in order as one middleware: the router matches, traces and dispatches a layer per `app.use`
 * (a match object, a parameter pass and a handler call each), which every request paid for each of the edge's five.
 * A failure (passed on or thrown) skips the rest and goes to Express's error handling, as it would between layers.
 */
export function middlewareChain(...handlers: RequestHandler[]): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    let index = 0;
    const step = (err?: unknown): void => {
      if (err) return next(err);
      const handler = handlers[index++];
      if (!handler) return next();
      try {
        void handler(req, res, step);
      } catch (thrown) {
        next(thrown);
      }
    };
    step();
  };
}
