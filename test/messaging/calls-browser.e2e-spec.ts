import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from '../support/browser.js';
import { serveCallPage, type CallPageServer } from '../support/call-page.js';
import { insertChat } from '../support/chats.js';
import { createMember, registerOrg, setPackage } from '../support/members.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { startTurnServer, type TurnServer } from '../support/turn-server.js';

/**
 * Real peers: two headless Chromium pages with fake cameras, each signed in as a different member, make a video call
 * through Atrium's REST routes and socket events only, directly and relayed through a local coturn that accepts
 * Atrium's TURN credentials.
 */

const TURN_SECRET = 'browser-spec-turn-secret-0123456789';
const CONNECTED = ['connected', 'completed'];

interface CallState {
  ice: string[];
  gathering: string[];
  candidates: string[];
  errors: number[];
  log: string[];
  selected: { local: string; remote: string } | null;
}

let turn: TurnServer;
let app: TestApp;
let wrongSecretApp: TestApp;
let browser: TestBrowser;
let page: CallPageServer;

beforeAll(async () => {
  turn = await startTurnServer(TURN_SECRET);
  // No STUN: a direct call connects over host candidates, a relayed one only through the TURN server.
  app = await startTestApp({ STUN_URLS: '', TURN_URLS: turn.url, TURN_SECRET });
  wrongSecretApp = await startTestApp({ STUN_URLS: '', TURN_URLS: turn.url, TURN_SECRET: 'not-the-secret-coturn-knows-0000' });
  browser = await launchBrowser({ args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] });
  page = await serveCallPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await page?.close();
  await app?.close();
  await wrongSecretApp?.close();
  await turn?.stop();
});

/** Two members of a Basic organization in a direct chat, each on a page of their own. */
async function twoPeers(t: TestApp) {
  const owner = await registerOrg(t.http);
  await setPackage(t, owner.organizationId, 'basic');
  const ann = await createMember(t, owner, 'member');
  const bob = await createMember(t, owner, 'member');
  const chatId = await insertChat(t, owner.organizationId, [ann.userId, bob.userId]);
  const [annPage, bobPage] = [await browser.open(page.url), await browser.open(page.url)];
  return { ann, bob, chatId, annPage, bobPage };
}

async function call(t: TestApp, policy: 'all' | 'relay') {
  const peers = await twoPeers(t);
  const opts = (token: string) => ({ api: t.url, token, policy, chatId: peers.chatId });
  await peers.bobPage.evaluate((o) => (window as any).atriumCall.callee(o), opts(peers.bob.accessToken));
  const callId = await peers.annPage.evaluate((o) => (window as any).atriumCall.caller(o), opts(peers.ann.accessToken));
  return { ...peers, callId: callId as string };
}

const state = (p: Page) => p.evaluate(() => (window as any).callState as CallState);

/** Waits until the page's connection is up, failing with what the page saw when it does not come. */
async function connected(p: Page, ms = 20_000): Promise<CallState> {
  try {
    await p.waitForFunction((ok) => ok.includes((window as any).callState.ice.at(-1)), CONNECTED, { timeout: ms });
  } catch (err) {
    throw new Error(`not connected: ${JSON.stringify(await state(p))}`, { cause: err });
  }
  await p.waitForFunction(() => (window as any).callState.selected !== null, undefined, { timeout: ms });
  return state(p);
}

describe('a video call between two browsers', () => {
  it('connects directly, signaled through Atrium only', async () => {
    const { ann: annMember, annPage, bobPage, callId } = await call(app, 'all');
    const [ann, bob] = await Promise.all([connected(annPage), connected(bobPage)]);
    expect(ann.log).toContain(`started ${callId}`);
    expect(bob.log).toContain(`joined ${callId}`);
    expect(ann.selected!.local).not.toBe('relay');
    expect((await app.http.get(`/calls/${callId}`, { token: annMember.accessToken })).body.data.status).toBe('active');
  });

  it('connects relay-only through coturn with the TURN credentials Atrium signs', async () => {
    const { annPage, bobPage } = await call(app, 'relay');
    const [ann, bob] = await Promise.all([connected(annPage), connected(bobPage)]);
    expect(ann.selected).toEqual({ local: 'relay', remote: 'relay' });
    expect(bob.selected).toEqual({ local: 'relay', remote: 'relay' });
    expect(ann.errors).toEqual([]);
  });

  it('does not connect relay-only when Atrium signs with a secret coturn does not share', async () => {
    const { annPage, bobPage } = await call(wrongSecretApp, 'relay');
    // The positive signal: each side finished gathering, its TURN allocation refused (401), with no relay candidate.
    for (const p of [annPage, bobPage]) {
      await p.waitForFunction(() => (window as any).callState.gathering.includes('complete'), undefined, { timeout: 20_000 });
      const s = await state(p);
      expect(s.errors).toContain(401);
      expect(s.candidates).not.toContain('relay');
      expect(CONNECTED).not.toContain(s.ice.at(-1));
    }
  });
});
