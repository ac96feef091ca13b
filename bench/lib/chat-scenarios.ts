import pg from 'pg';
import type { Socket } from 'socket.io-client';
import { compare } from './compare.js';
import type { RequestSpec } from './load.js';
import type { BenchContext, ScenarioReport } from './scenarios.js';
import { comparedRows, connectMany, connectSocket, latencySummary, noFailuresCheck, ratioCheck, unavailable } from './scenarios.js';
import { log, rssMiB, sleep } from './util.js';

const API = '/api/v1';

/** A message body of a realistic size (a couple of sentences), the same for the app and the raw broadcast. */
const TEXT = 'Bench message: the quarterly numbers are in, please review the attached figures before the call. ';

/** Group chats straight in the database: `members[k]` are the user ids of chat k. Returns the chat ids. */
async function seedChats(db: pg.Client, organizationId: string, createdBy: string, members: string[][]): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO chats (organization_id, type, name, created_by)
     SELECT $1, 'group', 'Bench chat ' || g, $2 FROM generate_series(1, $3) g RETURNING id`,
    [organizationId, createdBy, members.length],
  );
  const ids = rows.map((r) => r.id);
  await db.query(
    `INSERT INTO chat_members (chat_id, user_id, organization_id, role)
     SELECT c.chat_id, m.user_id, $3, CASE WHEN m.ord = 1 THEN 'admin' ELSE 'member' END
       FROM unnest($1::uuid[], $2::text[]) AS c(chat_id, users)
       CROSS JOIN LATERAL unnest(string_to_array(c.users, ',')::uuid[]) WITH ORDINALITY AS m(user_id, ord)`,
    [ids, members.map((m) => m.join(',')), organizationId],
  );
  return ids;
}

/** Waits until `count` receipts of the message marked `marker` arrived on `sockets` (event `name`). */
function receipts(sockets: Socket[], name: string, marker: string, timeoutMs = 10_000): Promise<number> {
  return new Promise((resolve, reject) => {
    let left = sockets.length;
    const timer = setTimeout(() => {
      off();
      reject(new Error(`${name} ${marker}: ${left} of ${sockets.length} receipts missing after ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (payload: { content?: string; message?: { content?: string } }) => {
      const content = payload.content ?? payload.message?.content;
      if (!content?.endsWith(marker)) return;
      if (--left === 0) {
        off();
        clearTimeout(timer);
        resolve(performance.now());
      }
    };
    const off = () => sockets.forEach((s) => s.off(name, on));
    sockets.forEach((s) => s.on(name, on));
  });
}

/**
 * One message to a chat of 50 members, each with a socket: `message:send` on one member's socket → the last of the 50
 * `message:new` receipts, beside the raw socket.io room broadcast of the same payload to 50 sockets (the node:http
 * baseline's `bench:send`). Sends are sequential; rounds alternate. Every pushed message is then looked up in the
 * database: a push of a message that was not stored would be a failure.
 */
export async function chatFanout(ctx: BenchContext): Promise<ScenarioReport> {
  const title = 'chat: message to 50 members → last receipt';
  const budget = 'p99 ≤ 3 × raw socket.io broadcast p99 + 10 ms';
  const members = ctx.seed.members.slice(0, 50);
  const perRound = ctx.settings.quick ? 50 : 200;
  const db = new pg.Client({ connectionString: ctx.config.database.url, application_name: 'atrium-bench-chat' });
  await db.connect();
  const sockets: Socket[] = [];
  try {
    const [chatId] = await seedChats(db, ctx.seed.organizationId, members[0].id, [members.map((m) => m.id)]);
    const app = await connectMany(members.length, (i) =>
      connectSocket(ctx.servers.app.url, { token: members[i].accessToken }, 'connected'),
    );
    const raw = await connectMany(members.length, () => connectSocket(ctx.servers.http.url, {}, 'connect'));
    sockets.push(...app, ...raw);
    const run = `${Date.now().toString(36)}`;
    const sent: string[] = [];
    const probe = await app[0].emitWithAck('message:send', { chat_id: chatId, content: `${TEXT}#probe-${run}`, message_type: 'TEXT' });
    const probeError = (probe as { error?: unknown; code?: unknown }).error ?? (probe as { code?: unknown }).code;
    if (probeError) return unavailable('chat-fanout', title, `message:send answers ${JSON.stringify(probe)}`, budget);
    await sleep(200);

    const measure = async (target: 'app' | 'raw', round: number) => {
      const latencies: number[] = [];
      for (let i = 0; i < perRound; i++) {
        const marker = `#${target}-${run}-${round}-${i}`;
        const content = TEXT + marker;
        const t0 = performance.now();
        if (target === 'app') {
          const done = receipts(app, 'message:new', marker);
          const ack = (await app[0].emitWithAck('message:send', { chat_id: chatId, content, message_type: 'TEXT' })) as {
            data?: { id: string };
          };
          if (!ack.data?.id) throw new Error(`message:send answered ${JSON.stringify(ack)}`);
          sent.push(ack.data.id);
          latencies.push((await done) - t0);
        } else {
          const done = receipts(raw, 'bench:message', marker);
          await raw[0].emitWithAck('bench:send', { content });
          latencies.push((await done) - t0);
        }
      }
      return latencies;
    };
    const all = { app: [] as number[], raw: [] as number[] };
    for (let round = 0; round < ctx.settings.rounds; round++) {
      const order: Array<'app' | 'raw'> = round % 2 ? ['raw', 'app'] : ['app', 'raw'];
      for (const target of order) all[target].push(...(await measure(target, round)));
    }
    const appS = latencySummary(all.app);
    const rawS = latencySummary(all.raw);
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE id = ANY ($1::uuid[])`, [sent]);
    log(
      `  ${title}: app p50 ${appS.p50.toFixed(1)} / p99 ${appS.p99.toFixed(1)} ms; raw p50 ${rawS.p50.toFixed(1)} / p99 ${rawS.p99.toFixed(1)} ms; ${rows[0].n} of ${sent.length} pushed messages stored`,
    );
    const limit = 3 * rawS.p99 + 10;
    return {
      id: 'chat-fanout',
      title,
      available: true,
      rows: [
        { scenario: title, target: 'app: message:send → 50 × message:new', ...appS },
        { scenario: title, target: 'raw socket.io room broadcast', ...rawS },
      ],
      checks: [
        { scenario: title, budget, measured: `${appS.p99.toFixed(1)} ms vs ${limit.toFixed(1)} ms`, pass: appS.p99 <= limit },
        {
          scenario: title,
          budget: 'every pushed message is stored',
          measured: `${rows[0].n} of ${sent.length}`,
          pass: rows[0].n === sent.length,
        },
      ],
      raw: { app: appS, raw: rawS, perRound },
    };
  } finally {
    for (const s of sockets) s.close();
    await db.end();
  }
}

/**
 * Sustained chat: 500 connected sockets (10 members in each of 50 chats); every socket sends in a closed loop (next
 * message when the previous one is acknowledged) for the round's duration. Reports messages/s accepted, messages/s
 * delivered end to end (every member's socket, counted until the backlog drained), and the app's RSS per connected
 * socket (idle RSS before and after connecting).
 */
export async function chatSustained(ctx: BenchContext): Promise<ScenarioReport> {
  const title = 'chat: sustained, 500 sockets in 50 chats';
  const users = ctx.seed.members.slice(0, 500);
  const db = new pg.Client({ connectionString: ctx.config.database.url, application_name: 'atrium-bench-chat' });
  await db.connect();
  const sockets: Socket[] = [];
  try {
    const groups = Array.from({ length: 50 }, (_, k) => users.slice(k * 10, k * 10 + 10).map((u) => u.id));
    const chats = await seedChats(db, ctx.seed.organizationId, users[0].id, groups);
    await sleep(1000);
    const rssBefore = rssMiB(ctx.servers.app.pid);
    sockets.push(
      ...(await connectMany(users.length, (i) => connectSocket(ctx.servers.app.url, { token: users[i].accessToken }, 'connected'))),
    );
    await sleep(2000);
    const rssAfter = rssMiB(ctx.servers.app.pid);
    const perSocketKiB = ((rssAfter - rssBefore) * 1024) / sockets.length;
    let delivered = 0;
    for (const s of sockets) s.on('message:new', () => delivered++);
    let accepted = 0;
    let refused = 0;
    const deadline = performance.now() + ctx.settings.duration * 1000;
    const t0 = performance.now();
    await Promise.all(
      sockets.map(async (s, i) => {
        const chatId = chats[Math.floor(i / 10)];
        for (let n = 0; performance.now() < deadline; n++) {
          const ack = (await s.emitWithAck('message:send', { chat_id: chatId, content: `${TEXT}${i}:${n}`, message_type: 'TEXT' })) as {
            data?: unknown;
          };
          if (ack.data) accepted++;
          else refused++;
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    // Deliveries still on the way when sending stopped (the relay drains its backlog): wait for all of them, up to a
    // minute, so the end-to-end rate counts every delivery and a lost one shows as missing.
    const expected = accepted * 10;
    const drainDeadline = performance.now() + 60_000;
    while (delivered < expected && performance.now() < drainDeadline) await sleep(50);
    const endToEnd = (performance.now() - t0) / 1000;
    const perSecond = accepted / seconds;
    const deliveredPerSecond = delivered / 10 / endToEnd;
    log(
      `  ${title}: ${accepted} accepted in ${seconds.toFixed(1)} s (${perSecond.toFixed(0)} messages/s), ${refused} refused; ` +
        `${delivered} of ${expected} deliveries after ${endToEnd.toFixed(1)} s (${deliveredPerSecond.toFixed(0)} messages/s to 10 sockets each); ` +
        `RSS ${rssBefore.toFixed(0)} → ${rssAfter.toFixed(0)} MiB, ${perSocketKiB.toFixed(0)} KiB per socket`,
    );
    return {
      id: 'chat-sustained',
      title,
      available: true,
      rows: [
        { scenario: title, target: 'app: messages/s accepted', rps: perSecond, p50: NaN, p99: NaN, peakRssMiB: rssAfter },
        { scenario: title, target: 'app: messages/s delivered to every member', rps: deliveredPerSecond, p50: NaN, p99: NaN },
      ],
      checks: [
        {
          scenario: title,
          budget: 'messages/s accepted (reported)',
          measured: `${perSecond.toFixed(0)} messages/s, ${refused} refused`,
          pass: refused === 0,
        },
        {
          scenario: title,
          budget: 'every accepted message reaches the 10 sockets of its chat (within a minute of the last send)',
          measured: `${delivered} of ${expected}`,
          pass: delivered === expected,
        },
        { scenario: title, budget: 'RSS per connected socket (reported)', measured: `${perSocketKiB.toFixed(0)} KiB`, pass: true },
      ],
      raw: { accepted, refused, delivered, seconds, endToEnd, deliveredPerSecond, rssBefore, rssAfter, perSocketKiB },
    };
  } finally {
    for (const s of sockets) s.close();
    await db.end();
  }
}

/**
 * `GET /chats?page=1&limit=20` as members of 200 chats each (10 members, each chat with messages), against the NestJS
 * baseline answering the same page with the app's statement and mapping.
 */
export async function chatsList(ctx: BenchContext): Promise<ScenarioReport> {
  const title = 'GET /chats?page=1&limit=20 (member of 200 chats)';
  const budget = 'req/s ≥ 0.5 × NestJS baseline (same page)';
  const readers = ctx.seed.members.slice(0, 10);
  const db = new pg.Client({ connectionString: ctx.config.database.url, application_name: 'atrium-bench-chat' });
  await db.connect();
  try {
    const chats = await seedChats(
      db,
      ctx.seed.organizationId,
      readers[0].id,
      Array.from({ length: 200 }, () => readers.map((r) => r.id)),
    );
    // A few messages in each chat through the API, so every chat has a last message and unread counts.
    for (let i = 0; i < chats.length; i += 20) {
      await Promise.all(
        chats.slice(i, i + 20).map(async (chatId, j) => {
          for (let n = 0; n < 3; n++) {
            const sender = readers[(i + j + n) % readers.length];
            const res = await fetch(`${ctx.servers.app.url}${API}/chats/${chatId}/messages`, {
              method: 'POST',
              headers: { authorization: `Bearer ${sender.accessToken}`, 'content-type': 'application/json' },
              body: JSON.stringify({ content: `${TEXT}${n}`, message_type: 'TEXT' }),
            });
            if (res.status !== 201) throw new Error(`POST /chats/:id/messages answered ${res.status}: ${await res.text()}`);
          }
        }),
      );
    }
    const first = await fetch(`${ctx.servers.app.url}${API}/chats?page=1&limit=20`, {
      headers: { authorization: `Bearer ${readers[0].accessToken}` },
    });
    const body = (await first.json()) as { data?: unknown[]; total?: number };
    if (first.status !== 200 || body.data?.length !== 20) {
      return unavailable('chats-list', title, `GET /chats answers ${first.status} ${JSON.stringify(body).slice(0, 200)}`, budget);
    }
    log(`  ${title}: ${readers.length} readers, total ${body.total} chats each`);
    let i = 0;
    const app: RequestSpec = {
      method: 'GET',
      path: `${API}/chats?page=1&limit=20`,
      next: () => ({ headers: { authorization: `Bearer ${readers[i++ % readers.length].accessToken}` } }),
    };
    // The baselines answer the same page with the app's own statement and mapping (plain NestJS, plain node:http):
    // the row measures what the platform adds to that work. GET /me, the other rows' baseline, answers ~300 bytes
    // against this page's ~50 KB, so beside it the row would mostly measure the payload.
    const baseline: RequestSpec = {
      method: 'GET',
      path: '/chats?page=1&limit=20',
      next: () => ({ headers: { authorization: `Bearer ${readers[i++ % readers.length].accessToken}` } }),
    };
    const probe = await fetch(`${ctx.servers.nest.url}/chats?page=1&limit=20`, {
      headers: { authorization: `Bearer ${readers[0].accessToken}` },
    });
    const same = JSON.stringify(((await probe.json()) as { data: unknown }).data) === JSON.stringify(body.data);
    log(
      `  ${title}: the NestJS baseline's page is ${same ? 'identical to' : 'NOT the same as'} the app's (${JSON.stringify(body).length} bytes)`,
    );
    if (!same) return unavailable('chats-list', title, 'the baseline does not answer the same page as the app', budget);
    const o = await compare(title, { app, baseline }, ctx.servers, ctx.settings);
    return {
      id: 'chats-list',
      title,
      available: true,
      rows: comparedRows(title, o),
      checks: [ratioCheck(title, o, 0.5), noFailuresCheck(title, o)],
      raw: o,
    };
  } finally {
    await db.end();
  }
}
