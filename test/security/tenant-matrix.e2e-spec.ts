import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue, eventually, finalStatus, payOnCheckoutPage, upgradePayment } from '../support/billing.js';
import { ALLOWED_SAMPLES, uploadFile } from '../support/documents.js';
import { registerOrg, type RegisteredOrg } from '../support/factories.js';
import { freePort } from '../support/free-port.js';
import { createProvider, sendSigned, unlimitedProviders } from '../support/integrations.js';
import type { RequestOptions } from '../support/http-client.js';
import { createMember, dataSource, type Member, signIn, uniqueEmail } from '../support/members.js';
import { publish, registerTestType } from '../support/notifications.js';
import { type ApiRoute, apiRoutes, fillPath, routerRouteKeys, socketEvents } from '../support/routes.js';
import { sessionIdOf } from '../support/security.js';
import { connectSocket, nextEvent } from '../support/socket.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The tenant matrix (issue 16). The route table comes from the router: the OpenAPI document built from the
 * controllers, checked against Express's own route table. Every authenticated route under /api/v1 whose path names a
 * resource is called by organization B's owner with organization A's ids — and, where a route names two resources,
 * with every mix of A's and B's ids. Each answer must be 404, the same status and code as for an id that names nothing
 * (so A's ids cannot even be told to exist), and A's rows must be exactly as before. B's owner then calls the same
 * route on B's own resource and must not get 404: the ids and the route are real, so the 404 above is the tenant wall
 * and not a typo. The same runs with B's API key holding every permission. Within A, routes to a member's private
 * resources (chats they are not in, and those chats' messages and calls; others' notifications and sessions) are
 * called by another member of A holding every permission but moderation (`chats.manage`) and answer 404 too. Every
 * socket.io event a gateway handles (read from Nest's metadata) is sent by B's owner and by that member with A's chat
 * and call ids: 404, nothing stored, nothing relayed to A's sockets. Last, requests that carry an id in the body or a
 * filter (roles granted, chat members, payments, quotes, audit and webhook filters) answer B exactly as for an id
 * that names nothing.
 *
 * A route the router lists that MATRIX lacks fails the second test by name: add one entry per route (the factory that
 * makes its resource, and a valid body for writes so validation never answers first).
 */

/**
 * One organization's side: its owner (for the insider below: the member who acts), and a plain member the owner shares
 * chats and calls with.
 */
interface Side {
  owner: RegisteredOrg;
  peer: Member;
}
/** Path parameters by the names the route templates use (`{ id, messageId }`). */
type Params = Record<string, string>;
type Factory = (side: Side) => Promise<Params>;

interface Entry {
  /** Makes the route's resource in an organization; answers the route's path parameters. */
  make: Factory;
  /** A valid body for the route, built for the caller (so only the ids can make it fail). */
  body?: (caller: Side) => unknown;
  /** A member's own resource: another member of the same organization gets 404 too. */
  private?: true;
}

let t: TestApp;
let a: Side;
let b: Side;
/** A member of A with every permission but moderation, in none of the chats, owning none of the notifications or sessions. */
let insider: Side;
/** An API key of B holding every permission, moderation included (a key acts for the organization, not a person). */
let bKey: string;
let routes: ApiRoute[];
/** Sockets: A's owner and peer (whatever reaches them is recorded), B's owner, the insider. */
const sockets = {} as Record<'aOwner' | 'aPeer' | 'b' | 'insider', Socket>;
/** Every event A's owner and peer received since the test began: [event, payload]. */
const received: Array<[string, unknown]> = [];
/** A chat of A's owner and peer, for the beacon that proves a socket has seen everything sent before it. */
let beaconChat: string;
let tenantTables: string[];
const paidPayment = new Map<string, string>();
/** Each paid payment's gateway transaction id, by payment id. */
const transactionIds = new Map<string, string>();
let packageIds: Record<string, number>;

const as = (side: Side) => ({ token: side.owner.accessToken });

async function ok(res: { status: number; body: any }, what: string): Promise<any> {
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

// --- Factories: each makes a fresh resource in `side`'s organization. -------------------------------------------

const role: Factory = async (s) => ({
  id: (await ok(await t.http.post('/roles', { name: `Role ${randomUUID().slice(0, 8)}`, permissions: ['users.view'] }, as(s)), 'role')).data
    .id,
});
const member: Factory = async (s) => ({ id: (await createMember(t, s.owner, 'member')).userId });
const invitation: Factory = async (s) => ({
  id: (await ok(await t.http.post('/invitations', { email: uniqueEmail('invitee') }, as(s)), 'invitation')).data.id,
});
const apiKey: Factory = async (s) => ({
  id: (await ok(await t.http.post('/api-keys', { name: `key ${randomUUID().slice(0, 8)}` }, as(s)), 'api key')).data.id,
});
/** Another signed-in device of the owner. */
const session: Factory = async (s) => ({ id: sessionIdOf((await signIn(t, s.owner.email, s.owner.password)).accessToken) });
const auditEntry: Factory = async (s) => {
  const [row] = await dataSource(t).query<Array<{ id: string }>>(
    `SELECT id FROM audit_logs WHERE organization_id = $1 ORDER BY created_at LIMIT 1`,
    [s.owner.organizationId],
  );
  return { id: row.id };
};
/** An active add-on (what a paid `POST /organizations/me/features` leaves), put straight in the database. */
const addon: Factory = async (s) => {
  const [row] = await dataSource(t).query<Array<{ id: string }>>(
    `INSERT INTO organization_features (organization_id, feature_id, quantity, status, expires_at)
     SELECT $1, id, 1, 'active', now() + interval '30 days' FROM features WHERE addon_monthly_cents IS NOT NULL ORDER BY id LIMIT 1
     RETURNING id`,
    [s.owner.organizationId],
  );
  return { id: row.id };
};
/** The organization's succeeded payment (made once in beforeAll: it carries the invoice). */
const payment: Factory = async (s) => ({ id: paidPayment.get(s.owner.organizationId)! });
const document: Factory = async (s) => {
  const [name, bytes] = ALLOWED_SAMPLES[0];
  return { id: (await ok(await uploadFile(t.url, s.owner.accessToken, name, bytes), 'document')).data.id };
};
const provider: Factory = async (s) => ({ id: (await createProvider(t, s.owner)).id });
/** A received, processed webhook event. */
const webhookEvent: Factory = async (s) => {
  const p = await createProvider(t, s.owner);
  const res = await sendSigned(t, `/webhooks/${s.owner.organizationId}/${p.name}`, 'hmac-sha256', p.secret, {
    event_id: randomUUID(),
    type: 'test.effect',
  });
  const id = (await ok(res, 'webhook')).data.event_id as string;
  await eventually(async () => {
    const [row] = await dataSource(t).query<Array<{ status: string }>>(`SELECT status FROM webhook_events WHERE id = $1`, [id]);
    return row && ['completed', 'ignored', 'failed'].includes(row.status) ? true : undefined;
  }, `webhook event ${id} processed`);
  return { id, providerId: p.id };
};
/** A provider that has received an event: its id. */
const providerWithEvent: Factory = async (s) => ({ id: (await webhookEvent(s)).providerId });
let pingType: ReturnType<typeof registerTestType>;
/** A notification for the owner, produced the way features produce them (an outbox event). */
const notification: Factory = async (s) => {
  const text = randomUUID();
  await publish(t, pingType, { organizationId: s.owner.organizationId, payload: { user_ids: [s.owner.userId], text } });
  const id = await eventually(async () => {
    const [row] = await dataSource(t).query<Array<{ id: string }>>(`SELECT id FROM notifications WHERE user_id = $1 AND title = $2`, [
      s.owner.userId,
      `Ping: ${text}`,
    ]);
    return row?.id;
  }, 'the notification');
  return { id };
};
/** An open quote for a year of Diamond (what `PUT /organizations/me/package` and `POST /payments` take). */
const quote: Factory = async (s) => {
  const res = await t.http.post('/organizations/me/package/calculate-upgrade-price', diamondYear(), as(s));
  return { id: (await ok(res, 'quote')).data.quote_id };
};
/** A group chat of the owner and the peer. */
const chat: Factory = async (s) => ({
  id: (await ok(await t.http.post('/chats', { type: 'group', name: 'Plans', member_ids: [s.peer.userId] }, as(s)), 'chat')).data.id,
});
const chatMember: Factory = async (s) => ({ ...(await chat(s)), memberId: s.peer.userId });
const message: Factory = async (s) => {
  const { id } = await chat(s);
  const sent = await ok(
    await t.http.post(`/chats/${id}/messages`, { content: 'The plan is on the shelf', message_type: 'TEXT' }, as(s)),
    'message',
  );
  return { id, messageId: sent.data.id };
};
const callChat: Factory = async (s) => ({ chatId: (await chat(s)).id });
/** A call the owner started in a chat with the peer (ringing). */
const call: Factory = async (s) => {
  const { chatId } = await callChat(s);
  return { id: (await ok(await t.http.post(`/calls/chats/${chatId}`, { call_type: 'audio' }, as(s)), 'call')).data.id };
};

/**
 * Every authenticated route with a path parameter, by its template: the factory that makes its resource, and a valid
 * body for writes. One entry per route.
 */
const MATRIX: Record<string, Entry> = {
  'GET /audit-logs/{id}': { make: auditEntry },

  'GET /roles/{id}': { make: role },
  'PUT /roles/{id}': { make: role, body: () => ({ name: 'Taken over' }) },
  'DELETE /roles/{id}': { make: role },

  'POST /api-keys/{id}/rotate': { make: apiKey },
  'POST /api-keys/{id}/revoke': { make: apiKey },

  'DELETE /auth/sessions/{id}': { make: session, private: true },

  'DELETE /organizations/me/features/{id}': { make: addon },

  'GET /payments/{id}': { make: payment },
  'GET /payments/{id}/invoice': { make: payment },

  'GET /users/{id}': { make: member },
  'PUT /users/{id}': { make: member, body: () => ({ first_name: 'Mallory' }) },
  'DELETE /users/{id}': { make: member },
  'POST /users/{id}/revoke': { make: member, body: () => ({ reason: 'hostile takeover' }) },

  'GET /invitations/{id}': { make: invitation },
  'DELETE /invitations/{id}': { make: invitation },
  'POST /invitations/resend/{id}': { make: invitation },

  'GET /chats/{id}': { make: chat, private: true },
  'PUT /chats/{id}': { make: chat, body: () => ({ name: 'Taken over' }), private: true },
  'DELETE /chats/{id}': { make: chat, private: true },
  'POST /chats/{id}/members': { make: chat, body: (caller) => ({ member_ids: [caller.peer.userId] }), private: true },
  'DELETE /chats/{id}/members/{memberId}': { make: chatMember, private: true },
  'POST /chats/{id}/leave': { make: chat, private: true },
  'POST /chats/{id}/messages': { make: chat, body: () => ({ content: 'planted', message_type: 'TEXT' }), private: true },
  'GET /chats/{id}/messages': { make: chat, private: true },
  'PUT /chats/{id}/messages/{messageId}': { make: message, body: () => ({ content: 'rewritten' }), private: true },
  'DELETE /chats/{id}/messages/{messageId}': { make: message, private: true },
  'POST /chats/{id}/read': { make: message, body: () => ({ seq: 1 }), private: true },

  'POST /calls/chats/{chatId}': { make: callChat, body: () => ({ call_type: 'audio' }), private: true },
  'GET /calls/chats/{chatId}/active': { make: callChat, private: true },
  'GET /calls/{id}': { make: call, private: true },
  'POST /calls/{id}/join': { make: call, private: true },
  'POST /calls/{id}/leave': { make: call, private: true },
  'POST /calls/{id}/end': { make: call, private: true },
  'POST /calls/{id}/reject': { make: call, private: true },
  'PUT /calls/{id}/media': { make: call, body: () => ({ audio_enabled: false, video_enabled: false }), private: true },

  'GET /notifications/{id}': { make: notification, private: true },
  'DELETE /notifications/{id}': { make: notification, private: true },
  'PUT /notifications/{id}/read': { make: notification, private: true },

  'GET /organizations/me/documents/{id}': { make: document },
  'DELETE /organizations/me/documents/{id}': { make: document },
  'GET /organizations/me/documents/{id}/download': { make: document },
  'GET /organizations/me/documents/{id}/download-url': { make: document },

  'GET /integrations/providers/{id}': { make: provider },
  'PATCH /integrations/providers/{id}': { make: provider, body: () => ({ name: `taken-${randomUUID().slice(0, 8)}` }) },
  'DELETE /integrations/providers/{id}': { make: provider },
  'POST /integrations/providers/{id}/rotate-secret': { make: provider, body: () => ({}) },
  'GET /integrations/webhook-events/{id}': { make: webhookEvent },
  'GET /integrations/webhook-events/{id}/retries': { make: webhookEvent },
  'GET /webhooks/{id}/retries': { make: webhookEvent },
  'POST /integrations/webhook-events/{id}/retry': { make: webhookEvent, body: () => ({}) },
  'PATCH /integrations/webhook-events/{id}': { make: webhookEvent, body: () => ({ status: 'dead' }) },
};

/** A request that names a resource in its body or query rather than its path. */
interface IdInRequest {
  make: Factory;
  /** The request, for the resource's id (A's, or one that names nothing). */
  send: (id: string) => { method: string; path: string; body?: unknown };
  /** An id of the same form that names nothing (default: a random uuid). */
  unknown?: (id: string) => string;
}

/** A quote token with its MAC changed: well formed, names nothing. */
const forgedQuote = (token: string) => token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
const diamondYear = () => ({ package_id: packageIds.diamond, period: '1_year' });

/**
 * Requests that carry an id in the body or a filter, by what they name. B's owner sends each with A's id and again
 * with a random uuid: the answers must be the same (status, code, and data: a filter finds nothing of A's) and A's
 * rows unchanged. A's owner sending the same request gets another answer, so the id and the request are real.
 */
const IDS_IN_REQUESTS: Record<string, IdInRequest> = {
  'PUT /users/{B member} with role: A role': {
    make: role,
    send: (id) => ({ method: 'PUT', path: `/users/${b.peer.userId}`, body: { role: id } }),
  },
  'POST /users with role: A role': {
    make: role,
    send: (id) => ({ method: 'POST', path: '/users', body: { email: uniqueEmail(), password: 'Lantern-Harbor-42!', role: id } }),
  },
  'POST /invitations with role_id: A role': {
    make: role,
    send: (id) => ({ method: 'POST', path: '/invitations', body: { email: uniqueEmail(), role_id: id } }),
  },
  'POST /chats with member_ids: A member': {
    make: member,
    send: (id) => ({ method: 'POST', path: '/chats', body: { type: 'group', name: 'Lure', member_ids: [id] } }),
  },
  'POST /chats with a direct chat to A member': {
    make: member,
    send: (id) => ({ method: 'POST', path: '/chats', body: { type: 'direct', member_ids: [id] } }),
  },
  'POST /payments/verify with payment_id: A payment': {
    make: payment,
    send: (id) => ({
      method: 'POST',
      path: '/payments/verify',
      body: { payment_id: id, transaction_id: transactionIds.get(id) ?? 'sbx_ch_none' },
    }),
  },
  'POST /webhooks/test/stripe with payment_id: A payment': {
    make: payment,
    send: (id) => ({ method: 'POST', path: '/webhooks/test/stripe', body: { payment_id: id } }),
  },
  'POST /payments with quote_id: A quote': {
    make: quote,
    send: (id) => ({
      method: 'POST',
      path: '/payments',
      body: { gateway: 'sandbox', payment_type: 'package_upgrade', ...diamondYear(), quote_id: id },
    }),
    unknown: forgedQuote,
  },
  'PUT /organizations/me/package with quote_id: A quote': {
    make: quote,
    send: (id) => ({ method: 'PUT', path: '/organizations/me/package', body: { ...diamondYear(), quote_id: id } }),
    unknown: forgedQuote,
  },
  'GET /audit-logs?user_id=A owner': { make: async (s) => ({ id: s.owner.userId }), send: (id) => get(`/audit-logs?user_id=${id}`) },
  'GET /audit-logs?resource_id=A role': { make: role, send: (id) => get(`/audit-logs?resource_id=${id}`) },
  'GET /audit-logs?id=A role (alias of resource_id)': { make: role, send: (id) => get(`/audit-logs?id=${id}`) },
  'GET /audit-logs/export?user_id=A owner': {
    make: async (s) => ({ id: s.owner.userId }),
    send: (id) => get(`/audit-logs/export?format=csv&user_id=${id}`),
  },
  'GET /integrations/webhook-events?provider=A provider': {
    make: providerWithEvent,
    send: (id) => get(`/integrations/webhook-events?provider=${id}`),
  },
  'GET /webhooks?provider=A provider': { make: providerWithEvent, send: (id) => get(`/webhooks?provider=${id}`) },
  'POST /integrations/webhook-events/replay with provider: A provider': {
    make: providerWithEvent,
    send: (id) => ({
      method: 'POST',
      path: '/integrations/webhook-events/replay',
      body: {
        provider: id,
        from: new Date(Date.now() - 3600_000).toISOString(),
        to: new Date(Date.now() + 60_000).toISOString(),
        force: true,
      },
    }),
  },
};

function get(path: string) {
  return { method: 'GET', path };
}

/** A call the owner started with the peer rung: its id, and the peer to signal. */
const callWithPeer: Factory = async (s) => ({ ...(await call(s)), to: s.peer.userId });
const sdp = (type: string) => ({ type, sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' });

interface SocketEntry {
  make: Factory;
  /** The event's payload naming the factory's resource (every value in `ids` is an id another caller may not use). */
  payload: (ids: Params) => Record<string, unknown>;
}

/**
 * Every socket.io event a gateway handles (each names a chat or a call, so each is a member's private resource):
 * the factory that makes what it names, and its payload. One entry per event; an event missing here fails by name.
 */
const SOCKET_MATRIX: Record<string, SocketEntry> = {
  'call:offer': { make: callWithPeer, payload: (p) => ({ call_id: p.id, to_user_id: p.to, sdp: sdp('offer') }) },
  'call:answer': { make: callWithPeer, payload: (p) => ({ call_id: p.id, to_user_id: p.to, sdp: sdp('answer') }) },
  'call:ice-candidate': {
    make: callWithPeer,
    payload: (p) => ({
      call_id: p.id,
      to_user_id: p.to,
      candidate: { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 },
    }),
  },
  'call:end': { make: call, payload: (p) => ({ call_id: p.id }) },
  'call:reject': { make: call, payload: (p) => ({ call_id: p.id }) },
  'typing:start': { make: chat, payload: (p) => ({ chat_id: p.id }) },
  'typing:stop': { make: chat, payload: (p) => ({ chat_id: p.id }) },
  'message:send': { make: chat, payload: (p) => ({ chat_id: p.id, content: 'planted', message_type: 'TEXT' }) },
  'message:read': { make: message, payload: (p) => ({ chat_id: p.id, seq: 1 }) },
};

/**
 * Tenant tables written in the background by design, not by a request on the resource: the outbox and mail queue
 * (delivery progress), audit seals (the sealing job), presence, digests, uploads' pending blobs. Every other table
 * with an `organization_id` is compared row for row, and so are A's members' accounts and their sessions' refresh
 * tokens. `last_used_at` columns move when their owner uses them (the insider's own session), so they are left out.
 */
const BACKGROUND_TABLES = new Set([
  'outbox_events',
  'mail_deliveries',
  'audit_seals',
  'audit_checkpoints',
  'presence_sockets',
  'document_pending_blobs',
  'notification_digests',
  'notification_digest_items',
  'notification_digest_events',
]);

/** Every row of the organization's data, per table, in a stable order. */
async function snapshot(organizationId: string): Promise<Record<string, unknown>> {
  const rows = (table: string, where: string) =>
    `(SELECT coalesce(jsonb_agg(x ORDER BY x::text), '[]'::jsonb)
        FROM (SELECT to_jsonb(r) - 'last_used_at' AS x FROM "${table}" r WHERE ${where}) s) AS "${table}"`;
  const members = `(SELECT user_id FROM memberships WHERE organization_id = $1)`;
  const [result] = await dataSource(t).query<Array<Record<string, unknown>>>(
    `SELECT ${[
      ...tenantTables.map((table) => rows(table, 'r.organization_id = $1')),
      rows('users', `r.id IN ${members}`),
      rows('user_mfa', `r.user_id IN ${members}`),
      rows('refresh_tokens', `r.session_id IN (SELECT id FROM sessions WHERE organization_id = $1)`),
    ].join(',\n')}`,
    [organizationId],
  );
  return result;
}

/** The tables whose rows differ between two snapshots. */
const changedTables = (before: Record<string, unknown>, after: Record<string, unknown>) =>
  Object.keys(before).filter((table) => JSON.stringify(before[table]) !== JSON.stringify(after[table]));

/** Waits until every event the organizations' changes committed has been delivered (notifications made, sockets told). */
async function settled(...organizationIds: string[]): Promise<void> {
  await eventually(async () => {
    const [{ n }] = await dataSource(t).query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM outbox_events WHERE organization_id = ANY($1::uuid[]) AND delivered_at IS NULL`,
      [organizationIds],
    );
    return n === 0 ? true : undefined;
  }, 'the outbox to drain');
}

async function makeSide(name: string): Promise<Side> {
  const owner = await registerOrg(t.http, { organization_name: name });
  // A paid upgrade (its payment and invoice are the payment routes' resources), then Diamond: no limits on providers.
  const { res } = await upgradePayment(t, owner.accessToken, { package_id: (await catalogue(t)).pkg.basic, period: '1_year' });
  await ok(res, 'payment');
  await payOnCheckoutPage(res.body.data.checkout_url, '4242 4242 4242 4242');
  expect((await finalStatus(t, owner.accessToken, res.body.data.id)).status).toBe('succeeded');
  paidPayment.set(owner.organizationId, res.body.data.id);
  transactionIds.set(res.body.data.id, res.body.data.transaction_id);
  await unlimitedProviders(t, owner.organizationId);
  return { owner, peer: await createMember(t, owner, 'member') };
}

beforeAll(async () => {
  // Calls ring and wait for reconnects long enough that no timeout changes A's calls while the matrix runs.
  t = await startTestApp({ CALL_RING_TIMEOUT_SECONDS: '600', CALL_RECONNECT_GRACE_SECONDS: '3600' }, { port: await freePort() });
  pingType = registerTestType(t);
  packageIds = (await catalogue(t)).pkg;
  a = await makeSide('Alpha');
  b = await makeSide('Bravo');
  // Every permission but moderation: `chats.manage` is the one meant to reach chats one is not in (a moderator deletes
  // any chat or message of the organization, as documented), so it would answer for the wall, not test it.
  const permissions = (await ok(await t.http.get('/roles/permissions', as(a)), 'permissions')).data as Array<{ key: string }>;
  const everything = permissions.map((p) => p.key).filter((key) => key !== 'chats.manage');
  const roleId = (await ok(await t.http.post('/roles', { name: 'All but moderation', permissions: everything }, as(a)), 'role')).data.id;
  const other = await createMember(t, a.owner, roleId);
  insider = { owner: other, peer: other };
  const all = permissions.map((p) => p.key);
  const key = await t.http.post('/api-keys', { name: 'Bravo automation', permissions: all }, as(b));
  bKey = (await ok(key, 'api key')).data.key;
  routes = await apiRoutes(t);
  beaconChat = (await chat(a)).id;
  [sockets.aOwner, sockets.aPeer, sockets.b, sockets.insider] = await Promise.all(
    [a.owner, a.peer, b.owner, insider.owner].map((u) => connectSocket(t.url, { token: u.accessToken })),
  );
  for (const socket of [sockets.aOwner, sockets.aPeer]) socket.onAny((event: string, payload: unknown) => received.push([event, payload]));
  tenantTables = (
    await dataSource(t).query<Array<{ table_name: string }>>(
      `SELECT table_name FROM information_schema.columns
        WHERE table_schema = 'public' AND column_name = 'organization_id' ORDER BY table_name`,
    )
  )
    .map((r) => r.table_name)
    .filter((table) => !BACKGROUND_TABLES.has(table));
}, 120_000);
afterAll(async () => {
  for (const socket of Object.values(sockets)) socket.close();
  await t?.close();
});

/** The routes the router lists that name a resource and need credentials. */
const tenantRoutes = () => routes.filter((r) => r.authenticated && r.params.length > 0);

/** Every way to fill the route's parameters with A's ids, alone or mixed with B's (at least one of A's); all of A's last. */
function combinations(params: string[], ofA: Params, ofB: Params): Params[] {
  const out: Params[] = [];
  for (let mask = 1; mask < 1 << params.length; mask++) {
    out.push(Object.fromEntries(params.map((p, i) => [p, mask & (1 << i) ? ofA[p] : ofB[p]])));
  }
  return out;
}

interface Answer {
  path: string;
  status: number;
  code?: string;
  body: string;
}

/**
 * Calls the route as `caller` (with `auth`: its owner's token unless told) with each set of ids; answers what came back
 * and which of A's tables changed.
 */
async function attack(
  route: ApiRoute,
  entry: Entry,
  caller: Side,
  idSets: Params[],
  auth: RequestOptions = as(caller),
): Promise<{ answers: Answer[]; changes: string[] }> {
  const answers: Answer[] = [];
  const changes: string[] = [];
  for (const ids of idSets) {
    await settled(a.owner.organizationId, b.owner.organizationId);
    const before = await snapshot(a.owner.organizationId);
    const path = fillPath(route.path, ids);
    const res = await t.http.request(route.method, path, entry.body?.(caller), auth);
    answers.push({ path, status: res.status, code: res.body?.code, body: JSON.stringify(res.body).slice(0, 300) });
    await settled(a.owner.organizationId, b.owner.organizationId);
    const changed = changedTables(before, await snapshot(a.owner.organizationId));
    if (changed.length) changes.push(`${route.method} ${path} changed A's ${changed.join(', ')}`);
  }
  return { answers, changes };
}

const not404 = (answers: Answer[], route: ApiRoute) =>
  answers.filter((r) => r.status !== 404).map((r) => `${route.method} ${r.path} answered ${r.status}: ${r.body}`);

/** What the route answers `caller` for ids that name nothing: a random uuid, and a string that is no uuid at all. */
async function unknownIdAnswers(route: ApiRoute, entry: Entry, caller: Side): Promise<Answer[]> {
  const out: Answer[] = [];
  for (const value of [randomUUID(), 'no-such-id']) {
    const path = fillPath(route.path, Object.fromEntries(route.params.map((p) => [p, value])));
    const res = await t.http.request(route.method, path, entry.body?.(caller), as(caller));
    out.push({ path, status: res.status, code: res.body?.code, body: JSON.stringify(res.body).slice(0, 300) });
  }
  return out;
}

/** A's ids must be indistinguishable from ids that do not exist: the same status and error code. */
function expectLikeUnknown(ofA: Answer, unknown: Answer[]): void {
  const shape = (r: Answer) => `${r.status} ${r.code ?? ''}`;
  expect(unknown.map(shape), `${ofA.path} answers like an id that names nothing`).toEqual(unknown.map(() => shape(ofA)));
}

/** The route on a resource the caller may reach answers something other than 404 (and no 5xx); answers the response. */
async function expectReachable(route: ApiRoute, entry: Entry, caller: Side, ids: Params, auth: RequestOptions = as(caller)) {
  const res = await t.http.request(route.method, fillPath(route.path, ids), entry.body?.(caller), auth);
  expect(res.status, `${route.key} on its own resource: ${JSON.stringify(res.body).slice(0, 300)}`).not.toBe(404);
  expect(res.status, route.key).toBeLessThan(500);
  return res;
}

const routeOf = (key: string) => {
  const route = routes.find((r) => r.key === key);
  if (!route) throw new Error(`${key} is in MATRIX but the router does not list it`);
  return route;
};

describe('the tenant matrix', () => {
  it('reads a complete route table: every route the HTTP router serves under /api/v1 is in the OpenAPI document', () => {
    const documented = new Set(routes.map((r) => r.key));
    const served = routerRouteKeys(t);
    expect(served.length).toBeGreaterThan(100);
    expect(served.filter((key) => !documented.has(key))).toEqual([]);
  });

  it('has an entry for every authenticated route with a path parameter the router lists, and none for others', () => {
    const listed = tenantRoutes().map((r) => r.key);
    expect(listed.length).toBeGreaterThan(40);
    expect(
      listed.filter((key) => !(key in MATRIX)),
      'routes missing from MATRIX',
    ).toEqual([]);
    expect(
      Object.keys(MATRIX).filter((key) => !listed.includes(key)),
      'MATRIX entries the router does not list',
    ).toEqual([]);
  });

  describe("organization B's owner with organization A's ids", () => {
    it.each(Object.keys(MATRIX))('%s answers 404, as for an unknown id, and changes nothing in A', async (key) => {
      const route = routeOf(key);
      const entry = MATRIX[key];
      const ofA = await entry.make(a);
      const ofB = await entry.make(b);
      expect(
        route.params.filter((p) => !(p in ofA) || !(p in ofB)),
        `${key}: parameters its factory leaves empty`,
      ).toEqual([]);
      const { answers, changes } = await attack(route, entry, b, combinations(route.params, ofA, ofB));
      expect([...not404(answers, route), ...changes]).toEqual([]);
      expectLikeUnknown(answers[answers.length - 1], await unknownIdAnswers(route, entry, b));
      await expectReachable(route, entry, b, ofB);
    });
  });

  describe("organization B's API key (every permission) with organization A's ids", () => {
    it.each(Object.keys(MATRIX))('%s answers 404 (or the refusal any key gets there) and changes nothing in A', async (key) => {
      const route = routeOf(key);
      const entry = MATRIX[key];
      const ofA = await entry.make(a);
      const ofB = await entry.make(b);
      const byKey = { apiKey: bKey };
      const { answers, changes } = await attack(route, entry, b, combinations(route.params, ofA, ofB), byKey);
      expect(changes).toEqual([]);
      const own = await expectReachable(route, entry, b, ofB, byKey);
      // A route that needs a signed-in user refuses a key before it looks anything up: the same 403 for A's ids.
      const refusal = own.status === 403 && own.body.code === 'user_session_required';
      const unexpected = answers.filter((r) => r.status !== 404 && !(refusal && r.status === 403 && r.code === own.body.code));
      expect(unexpected.map((r) => `${route.method} ${r.path} answered ${r.status}: ${r.body}`)).toEqual([]);
    });
  });

  describe("another member of A with a member's private resources", () => {
    const privateRoutes = Object.keys(MATRIX).filter((key) => MATRIX[key].private);

    it('covers chats, messages, calls, notifications and sessions', () => {
      expect(privateRoutes.length).toBeGreaterThan(20);
    });

    it.each(privateRoutes)('%s answers 404, as for an unknown id, and changes nothing', async (key) => {
      const route = routeOf(key);
      const entry = MATRIX[key];
      const ofA = await entry.make(a);
      const { answers, changes } = await attack(route, entry, insider, [ofA]);
      expect([...not404(answers, route), ...changes]).toEqual([]);
      expectLikeUnknown(answers[0], await unknownIdAnswers(route, entry, insider));
      await expectReachable(route, entry, a, ofA);
    });
  });

  describe("socket events with A's ids", () => {
    /**
     * Once A's owner and peer each have the beacon (a typing relay from the other, sent after the caller's event was
     * answered), every relay the caller's event could have caused has arrived before it on their connections.
     */
    async function beacon(): Promise<void> {
      for (const [from, to] of [
        [sockets.aPeer, sockets.aOwner],
        [sockets.aOwner, sockets.aPeer],
      ]) {
        const seen = nextEvent(to, 'typing:start');
        expect(await from.timeout(5000).emitWithAck('typing:start', { chat_id: beaconChat })).toEqual({ data: { relayed: true } });
        await seen;
        await from.timeout(5000).emitWithAck('typing:stop', { chat_id: beaconChat });
      }
    }

    it('has an entry for every event a gateway handles, and none for others', () => {
      const handled = socketEvents(t);
      expect(handled.length).toBeGreaterThan(5);
      expect(
        handled.filter((e) => !(e in SOCKET_MATRIX)),
        'events missing from SOCKET_MATRIX',
      ).toEqual([]);
      expect(
        Object.keys(SOCKET_MATRIX).filter((e) => !handled.includes(e)),
        'SOCKET_MATRIX entries no gateway handles',
      ).toEqual([]);
    });

    const cases = Object.keys(SOCKET_MATRIX).flatMap((event) => [
      [event, "organization B's owner"],
      [event, 'another member of A'],
    ]);
    it.each(cases)("%s from %s answers 404, as for an unknown id, reaches none of A's sockets and changes nothing", async (event, who) => {
      const entry = SOCKET_MATRIX[event];
      const outsider = who === 'another member of A';
      const [socket, userId] = outsider ? [sockets.insider, insider.owner.userId] : [sockets.b, b.owner.userId];
      const ofA = await entry.make(a);
      await settled(a.owner.organizationId, b.owner.organizationId);
      received.length = 0;
      const before = await snapshot(a.owner.organizationId);
      const ack = (await socket.timeout(5000).emitWithAck(event, entry.payload(ofA))) as { statusCode?: number; code?: string };
      expect(ack.statusCode, JSON.stringify(ack)).toBe(404);
      await settled(a.owner.organizationId, b.owner.organizationId);
      expect(changedTables(before, await snapshot(a.owner.organizationId))).toEqual([]);
      await beacon();
      expect(received.filter(([, payload]) => JSON.stringify(payload).includes(userId))).toEqual([]);
      const unknownIds = Object.fromEntries(Object.keys(ofA).map((k) => [k, randomUUID()]));
      const unknown = (await socket.timeout(5000).emitWithAck(event, entry.payload(unknownIds))) as typeof ack;
      expect(`${unknown.statusCode} ${unknown.code}`).toBe(`${ack.statusCode} ${ack.code}`);
      // The payload is right: on a resource of its own (B's; for the insider, A's owner's) the event is not a 404.
      const [ownSocket, ownIds] = outsider ? [sockets.aOwner, ofA] : [sockets.b, await entry.make(b)];
      await settled(b.owner.organizationId); // a new chat's sockets join its room when its event is delivered
      const own = (await ownSocket.timeout(5000).emitWithAck(event, entry.payload(ownIds))) as typeof ack;
      expect(own.statusCode, JSON.stringify(own)).not.toBe(404);
    });
  });

  describe("organization B's owner with A's ids in bodies and filters", () => {
    /** The answer without what differs per request (its id), or the text of a file. */
    const comparable = (res: { status: number; body: any }) => {
      const body = res.body && typeof res.body === 'object' ? { ...res.body, requestId: undefined } : res.body;
      return { status: res.status, body };
    };

    it.each(Object.keys(IDS_IN_REQUESTS))('%s answers as for an id that names nothing, and changes nothing in A', async (name) => {
      const { make, send, unknown: unknownLike = () => randomUUID() } = IDS_IN_REQUESTS[name];
      const { id } = await make(a);
      await settled(a.owner.organizationId, b.owner.organizationId);
      const before = await snapshot(a.owner.organizationId);
      const call = (value: string) => {
        const r = send(value);
        return t.http.request(r.method, r.path, r.body, as(b));
      };
      const withA = await call(id);
      expect(withA.status, JSON.stringify(withA.body)).toBeLessThan(500);
      await settled(a.owner.organizationId, b.owner.organizationId);
      expect(changedTables(before, await snapshot(a.owner.organizationId))).toEqual([]);
      const unknown = unknownLike(id);
      expect(JSON.stringify(comparable(withA)).replaceAll(id, unknown)).toBe(JSON.stringify(comparable(await call(unknown))));
      // The id is real and the request works: A's owner sending it gets another answer (what it names, or its effect).
      const r = send(id);
      const own = await t.http.request(r.method, r.path, r.body, as(a));
      expect(own.status, JSON.stringify(own.body)).toBeLessThan(500);
      expect(JSON.stringify(comparable(own))).not.toBe(JSON.stringify(comparable(withA)));
    });
  });
});
