import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inlineStylePages } from './html-page.js';

const STYLE = '\nbody{margin:0}\nmain{max-width:20rem}\n';

describe('inlineStylePages', () => {
  const pages = inlineStylePages('Atrium <test>', STYLE);
  const html = pages.render('Pay & go', '<h1 id="x">Hello</h1>');

  it('admits exactly the stylesheet the layout embeds, and nothing else', () => {
    const embedded = /<style>([\s\S]*)<\/style>/.exec(html)![1];
    expect(embedded).toBe(STYLE);
    const hash = createHash('sha256').update(embedded).digest('base64');
    expect(pages.csp.split('; ')).toEqual([
      "default-src 'none'",
      `style-src 'sha256-${hash}'`,
      "form-action 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ]);
    expect(html).not.toMatch(/<script|<link|style="/);
  });

  it('lays out a whole, unindexed document: title and site as text, the body as markup inside <main>', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<meta name="robots" content="noindex">');
    expect(html).toContain('<title>Pay &amp; go · Atrium &lt;test&gt;</title>');
    expect(html).toContain('<body><main>\n<h1 id="x">Hello</h1>\n</main></body>');
  });
});
