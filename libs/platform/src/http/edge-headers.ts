import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';

/**
 * Security headers for a JSON API (OWASP REST cheat sheet), set by helmet: nothing may be framed, sniffed, or
 * loaded as a document's sub-resource. Helmet's document-only headers (Origin-Agent-Cluster, X-DNS-Prefetch-Control,
 * X-Download-Options, X-Permitted-Cross-Domain-Policies, X-XSS-Protection) are off: an API answer renders nothing.
 * The Swagger UI, which is a document, gets helmet's document set on top (see createApp).
 */
const jsonApiHelmet = helmet({
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
  xContentTypeOptions: true,
  xFrameOptions: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  crossOriginResourcePolicy: { policy: 'same-origin' },
  crossOriginOpenerPolicy: { policy: 'same-origin' },
  crossOriginEmbedderPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
});

/** Helmet's JSON-API set plus `Cache-Control: no-store` on every answer. */
export function apiSecurityHeaders(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    // Answers carry accounts, tokens and tenant data: no shared or browser cache may keep them.
    res.setHeader('Cache-Control', 'no-store');
    jsonApiHelmet(req, res, next);
  };
}

const ALLOWED_METHODS = 'GET,HEAD,PUT,PATCH,POST,DELETE';
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/** The `cors` package's options as used here: a shape both Nest's `enableCors` and socket.io's `cors` option take. */
export interface EdgeCorsOptions {
  origin: '*' | ((origin: string | undefined, callback: (err: Error | null, allow?: boolean) => void) => void);
  credentials: boolean;
  methods: string;
  exposedHeaders: string[];
  maxAge: number;
}

/**
 * Options for the `cors` package, shared by `app.enableCors` and socket.io's `cors` option. With an allowlist, an
 * allowed origin is echoed with credentials and preflights answer 204; any other origin gets no CORS header at
 * all. `*` (development only, see loadConfig) lets any origin read answers, never with credentials: a page on any
 * site could otherwise act with the user's browser credentials.
 */
export function corsOptions(origins: string[] | '*', exposedHeaders: readonly string[] = []): EdgeCorsOptions {
  const common = { methods: ALLOWED_METHODS, exposedHeaders: [...exposedHeaders], maxAge: PREFLIGHT_MAX_AGE_SECONDS };
  if (origins === '*') return { ...common, origin: '*', credentials: false };
  const allowed = new Set(origins);
  return {
    ...common,
    // A function rather than the list: refused this way, `cors` adds nothing, where with the list it would still
    // send Allow-Credentials (and the allowed methods on preflights) to any origin.
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    credentials: true,
  };
}
