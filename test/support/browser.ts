import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's chromium unless CHROMIUM_PATH says otherwise (CI installs it; playwright-core downloads nothing). */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** One headless Chromium for a spec file; each `open` is a fresh browser context (no shared cookies or storage). */
export interface TestBrowser {
  browser: Browser;
  /** A new page in a context of its own, navigated to `url`; throws on an answer outside 2xx unless `allowStatus` lists it. */
  open(url: string, opts?: { allowStatus?: number[] }): Promise<Page>;
  /** Closes every context and the browser; safe to call twice, and kills the process if a clean close hangs. */
  close(): Promise<void>;
}

const CLOSE_TIMEOUT_MS = 5_000;

/**
 * Launches Chromium (well under a second here); call once in `beforeAll`, and `close()` in `afterAll`. `args`: extra
 * command-line switches (e.g. fake camera and microphone for WebRTC).
 */
export async function launchBrowser(opts: { args?: string[] } = {}): Promise<TestBrowser> {
  // A browser server owns the process, so `kill()` remains when a graceful close does not return.
  const server = await chromium.launchServer({ executablePath: chromiumPath, headless: true, args: opts.args });
  const browser = await chromium.connect(server.wsEndpoint());
  const contexts: BrowserContext[] = [];
  let closing: Promise<void> | undefined;
  return {
    browser,
    async open(url, opts = {}) {
      const context = await browser.newContext();
      contexts.push(context);
      const page = await context.newPage();
      const res = await page.goto(url);
      const status = res?.status() ?? 0;
      if ((status < 200 || status > 299) && !opts.allowStatus?.includes(status)) throw new Error(`GET ${url} answered ${status}`);
      return page;
    },
    close() {
      closing ??= (async () => {
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), CLOSE_TIMEOUT_MS)));
        const graceful = (async () => {
          await Promise.allSettled(contexts.map((c) => c.close()));
          await browser.close();
          await server.close();
          return 'closed' as const;
        })();
        const outcome = await Promise.race([graceful.catch(() => 'failed' as const), timedOut]);
        clearTimeout(timer);
        if (outcome !== 'closed') await server.kill();
      })();
      return closing;
    },
  };
}
