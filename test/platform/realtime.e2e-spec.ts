import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Authenticator, EventBus, Outbox } from '@atrium/platform';
import { registerOrg } from '../support/factories.js';
import { connectSocket, nextEvent, stillConnected } from '../support/socket.js';
import { startTestApp, testRedisUrl, type TestApp } from '../support/test-app.js';

let a: TestApp;
let b: TestApp;

beforeAll(async () => {
  [a, b] = await Promise.all([startTestApp(), startTestApp()]);
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
});

/** A second organization that `userId` also belongs to, as a member. */
async function joinSecondOrganization(userId: string) {
  const other = await registerOrg(a.http);
  await a.db.query(
    `INSERT INTO memberships (organization_id, user_id, role_id)
     SELECT $1, $2, id FROM roles WHERE organization_id = $1 AND slug = 'member'`,
    [other.organizationId, userId],
  );
  return other;
}

describe(`socket.io gateway (fan-out over ${testRedisUrl ? 'Redis' : 'PostgreSQL'})`, () => {
  it('accepts a valid token in the query with organizationId, as in the contract', async () => {
    const org = await registerOrg(a.http);
    const socket = await connectSocket(a.url, { token: org.accessToken, organizationId: org.organizationId });
    try {
      expect(socket.connected).toBe(true);
    } finally {
      socket.close();
    }
  });

  it('accepts a token in auth, and refuses a missing, bad or revoked one', async () => {
    const org = await registerOrg(a.http);
    const ok = await connectSocket(a.url, { token: org.accessToken, viaAuth: true });
    ok.close();
    await expect(connectSocket(a.url, {})).rejects.toThrow(/unauthorized/);
    await expect(connectSocket(a.url, { token: 'not-a-jwt' })).rejects.toThrow(/invalid_token/);
    await a.http.post('/auth/logout', {}, { token: org.accessToken });
    await expect(connectSocket(a.url, { token: org.accessToken })).rejects.toThrow(/session_revoked/);
  });

  it('tells a client to try again, not that it is unauthorized, when the credential cannot be checked', async () => {
    const org = await registerOrg(a.http);
    // The database goes away while the token is checked (fault injected at the authenticator's boundary).
    const check = vi.spyOn(a.app.get(Authenticator), 'authenticate').mockRejectedValueOnce(new Error('Connection terminated unexpectedly'));
    try {
      const refused = await connectSocket(a.url, { token: org.accessToken }).catch((e: Error) => e);
      expect(refused).toBeInstanceOf(Error);
      expect((refused as Error).message).toBe('unavailable: try again');
      // The same token connects once the check works again.
      const socket = await connectSocket(a.url, { token: org.accessToken });
      socket.close();
    } finally {
      check.mockRestore();
    }
  });

  it('refuses an organization the user does not belong to', async () => {
    const mine = await registerOrg(a.http);
    const other = await registerOrg(a.http);
    await expect(connectSocket(a.url, { token: mine.accessToken, organizationId: other.organizationId })).rejects.toThrow(
      /organization_not_found/,
    );
  });

  it('delivers an event published on instance B to a client connected to instance A', async () => {
    const org = await registerOrg(a.http);
    const outsider = await registerOrg(a.http);
    const member = await connectSocket(a.url, { token: org.accessToken });
    const stranger = await connectSocket(a.url, { token: outsider.accessToken });
    try {
      let leaked = false;
      stranger.on('test:ping', () => (leaked = true));
      const received = nextEvent<{ n: number }>(member, 'test:ping');
      await b.app.get(EventBus).publish({ name: 'test:ping', payload: { n: 7 }, rooms: [`org:${org.organizationId}`] });
      expect(await received).toEqual({ n: 7 });
      // Had the stranger been in the room, the ping would have been written to it with the member's: anything
      // the stranger receives after that comes after the ping on the same connection.
      const after = nextEvent(stranger, 'test:pong');
      await b.app.get(EventBus).publish({ name: 'test:pong', payload: {}, rooms: [`org:${outsider.organizationId}`] });
      await after;
      expect(leaked).toBe(false);
    } finally {
      member.close();
      stranger.close();
    }
  });

  it('pushes an event committed through the outbox on instance A to a socket on instance B, once', async () => {
    const org = await registerOrg(a.http);
    const member = await connectSocket(b.url, { token: org.accessToken });
    try {
      const seen: number[] = [];
      member.on('test:outbox', (payload: { n: number }) => seen.push(payload.n));
      const marker = nextEvent<{ n: number }>(member, 'test:outbox-marker');
      // Give the adapters a moment to register the new room subscriptions across instances.
      await new Promise((r) => setTimeout(r, 300));
      const outbox = a.app.get(Outbox);
      const room = [`org:${org.organizationId}`];
      await a.db.transaction(async (em) =>
        outbox.add(em, { name: 'test:outbox', organizationId: org.organizationId, payload: { n: 1 }, rooms: room }),
      );
      // Both instances run relays; the marker, delivered after the first event (same organization), proves the first was pushed once.
      await a.db.transaction(async (em) =>
        outbox.add(em, { name: 'test:outbox-marker', organizationId: org.organizationId, payload: { n: 2 }, rooms: room }),
      );
      expect(await marker).toEqual({ n: 2 });
      expect(seen).toEqual([1]);
    } finally {
      member.close();
    }
  });

  it('disconnects the sockets of a session that logs out, even on another instance', async () => {
    const org = await registerOrg(a.http);
    const socket = await connectSocket(a.url, { token: org.accessToken });
    const closed = nextEvent<string>(socket, 'disconnect');
    expect((await b.http.post('/auth/logout', {}, { token: org.accessToken })).status).toBe(204);
    expect(await closed).toBe('io server disconnect');
  });

  it('ends the socket of a session revoked on an instance that delivers no events, through the outbox', async () => {
    // Instance C commits the logout and delivers nothing itself: the disconnect must come from the committed event.
    const c = await startTestApp({ OUTBOX_RELAY: 'false' });
    try {
      const org = await registerOrg(a.http);
      const socket = await connectSocket(b.url, { token: org.accessToken });
      const closed = nextEvent<string>(socket, 'disconnect', 10_000);
      expect((await c.http.post('/auth/logout', {}, { token: org.accessToken })).status).toBe(204);
      const [session] = await c.db.query(`SELECT id FROM sessions WHERE user_id = $1`, [org.userId]);
      const events = await c.db.query(`SELECT payload FROM outbox_events WHERE name = 'session.revoked' AND payload -> 'sessionIds' ? $1`, [
        session.id,
      ]);
      expect(events).toEqual([{ payload: { sessionIds: [session.id], reason: 'logout' } }]);
      expect(await closed).toBe('io server disconnect');
    } finally {
      await c.close();
    }
  });

  it('disconnects a socket acting for an organization that revokes the member, and keeps their other sockets', async () => {
    const home = await registerOrg(a.http);
    const other = await registerOrg(a.http);
    await a.db.query(
      `INSERT INTO memberships (organization_id, user_id, role_id)
       SELECT $1, $2, id FROM roles WHERE organization_id = $1 AND slug = 'member'`,
      [other.organizationId, home.userId],
    );
    const there = await connectSocket(b.url, { token: home.accessToken, organizationId: other.organizationId });
    const here = await connectSocket(b.url, { token: home.accessToken });
    const closed = nextEvent<string>(there, 'disconnect');
    const revoked = await a.http.post(`/users/${home.userId}/revoke`, { reason: 'left' }, { token: other.accessToken });
    expect(revoked.status).toBe(200);
    expect(await closed).toBe('io server disconnect');
    await expect(stillConnected(a, here, home.userId)).resolves.toBe(true);
    await expect(connectSocket(b.url, { token: home.accessToken, organizationId: other.organizationId })).rejects.toThrow(/unauthorized/);
    here.close();
  });

  it('joins the rooms of an organization named in upper case by its canonical id, so revoking that membership ends the socket', async () => {
    const home = await registerOrg(a.http);
    const other = await joinSecondOrganization(home.userId);
    const there = await connectSocket(b.url, { token: home.accessToken, organizationId: other.organizationId.toUpperCase() });
    const closed = nextEvent<string>(there, 'disconnect');
    const revoked = await a.http.post(`/users/${home.userId}/revoke`, { reason: 'left' }, { token: other.accessToken });
    expect(revoked.status).toBe(200);
    expect(await closed).toBe('io server disconnect');
    expect(there.admitted.organization_id).toBe(other.organizationId);
  });

  it('acts for the canonical organization when X-Organization-Id comes in upper case', async () => {
    const home = await registerOrg(a.http);
    const other = await joinSecondOrganization(home.userId);
    const there = await connectSocket(b.url, { token: home.accessToken, organizationId: other.organizationId });
    const closed = nextEvent<string>(there, 'disconnect');
    // The owner of the second organization names it in upper case: the revocation must still reach the member's rooms.
    const revoked = await a.http.post(
      `/users/${home.userId}/revoke`,
      { reason: 'left' },
      { token: other.accessToken, organizationId: other.organizationId.toUpperCase() },
    );
    expect(revoked.status).toBe(200);
    expect(await closed).toBe('io server disconnect');
  });
});
