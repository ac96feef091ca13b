import { createHash } from 'node:crypto';
import type { Response } from 'express';

/**
 * The policy of a server-rendered page whose only resource is one inline stylesheet: nothing loads but that stylesheet
 * (by its hash), forms post only to this origin, nothing frames the page, no script runs.
 */
export function inlineStylePageCsp(style: string): string {
  return [
    "default-src 'none'",
    `style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'`,
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
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
