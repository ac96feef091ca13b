import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Security headers for a JSON API (OWASP REST cheat sheet): nothing may be framed, sniffed, or loaded as
 * a document's sub-resource. Computed once; each response gets them in one pass instead of a chain of
 * middleware. The Swagger UI, which is a document, gets helmet's full set on top (see createApp).
 */
const API_SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
  ['Referrer-Policy', 'no-referrer'],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  // Answers carry accounts, tokens and tenant data: no shared or browser cache may keep them.
  ['Cache-Control', 'no-store'],
];

export function apiSecurityHeaders(): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    for (const [name, value] of API_SECURITY_HEADERS) res.setHeader(name, value);
    next();
  };
}

export interface CorsPolicy {
  /** Allowed origins, or '*' to allow any (the request's origin is echoed, so credentials still work). */
  origins: string[] | '*';
  /** Response headers a browser script may read. */
  exposedHeaders: string[];
}

const ALLOWED_METHODS = 'GET,HEAD,PUT,PATCH,POST,DELETE';
const PREFLIGHT_MAX_AGE_SECONDS = '600';

/**
 * CORS for the SPA clients, with credentials: an allowed origin is echoed back (never `*`), preflights are
 * answered here with 204, and an origin not on the list gets no CORS headers at all, so the browser
 * refuses to hand the response to its script. Requests without an Origin (not from a browser script) pass untouched.
 */
export function corsMiddleware(policy: CorsPolicy): RequestHandler {
  const allowed = policy.origins === '*' ? undefined : new Set(policy.origins);
  const exposed = policy.exposedHeaders.join(',');
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    if (origin) res.setHeader('Vary', 'Origin');
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (origin && (!allowed || allowed.has(origin))) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      if (!preflight) res.setHeader('Access-Control-Expose-Headers', exposed);
    }
    if (!preflight) return next();
    if (res.hasHeader('Access-Control-Allow-Origin')) {
      const requested = req.headers['access-control-request-headers'];
      res.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
      if (requested) res.setHeader('Access-Control-Allow-Headers', requested);
      res.setHeader('Access-Control-Max-Age', PREFLIGHT_MAX_AGE_SECONDS);
      res.setHeader('Vary', 'Origin, Access-Control-Request-Headers');
    }
    res.statusCode = 204;
    res.setHeader('Content-Length', '0');
    res.end();
  };
}
