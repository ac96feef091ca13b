import { createHash } from 'node:crypto';
import type { Response } from 'express';
import { escapeHtml } from '../mail/escape-html.js';

/**
 * The policy of a server-rendered page whose only resource is one inline stylesheet: nothing loads but that stylesheet
 * (by its hash), forms post only to this origin, nothing frames the page, no script runs.
 */
function inlineStylePageCsp(style: string): string {
  return [
    "default-src 'none'",
    `style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'`,
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** Server-rendered pages of one kind (the checkout, the unsubscribe link): their layout and the policy it needs. */
export interface InlineStylePages {
  /** The `Content-Security-Policy` that lets exactly the pages' stylesheet load, and nothing else. */
  readonly csp: string;
  /** A whole document: `body` (HTML) in a `<main>`, titled "`title` · site" (text), not indexed, with the stylesheet. */
  render(title: string, body: string): string;
}

/** The layout every server-rendered page shares, with `style` as its one inline stylesheet and `site` after each title. */
export function inlineStylePages(site: string, style: string): InlineStylePages {
  return {
    csp: inlineStylePageCsp(style),
    render: (title, body) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · ${escapeHtml(site)}</title>
<style>${style}</style>
</head>
<body><main>
${body}
</main></body>
</html>
`,
  };
}

/**
 * Answers a server-rendered page whose URL holds a secret token (a checkout, an unsubscribe link): its own policy,
 * never cached, and no referrer, so a link followed from the page does not carry the token along.
 */
export function sendTokenPage(res: Response, status: number, html: string, csp: string): void {
  res.status(status);
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Security-Policy', csp);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.send(html);
}
