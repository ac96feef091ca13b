import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Server as SocketServer } from 'socket.io';
import {
  auditList,
  baselineEnv,
  baselinePool,
  chatList,
  claimsOf,
  notificationList,
  storeEvent,
  storeWebhook,
  hmacVerified,
  WEBHOOK_HMAC_PATH,
  subjectOf,
  USER_BY_ID,
  verifiedEvent,
} from './shared.js';

/**
 * Baseline 1: plain node:http. `GET /me`: JWT verify + one indexed SELECT over pg; `POST /webhook`: a signed Stripe
 * callback stored once; `POST /webhook-hmac/:org/:provider`: an `X-Signature` webhook stored once; `GET /chats?page=1&limit=20`,
 * `GET /notifications?page=1&limit=20` and `GET /audit-logs?…`: the app's statements and mappings. socket.io: every socket
 * joins room `bench`; `bench:send` (acknowledged) broadcasts its payload
 * to the room as `bench:message`, the raw room broadcast the chat fan-out is compared with. `POST /upload/discard` and
 * `POST /upload/file`: the request body read and dropped, or streamed to a file (1 MiB buffer, as the app's local
 * storage writes) — the transport floors the document upload is measured against.
 */
const { port, databaseUrl, verify, webhookSecret } = baselineEnv();
const pool = baselinePool(databaseUrl);

type List = (p: typeof pool, claims: { sub: string; org: string }, search: URLSearchParams) => Promise<unknown>;

const server = createServer((req, res) => {
  const send = (status: number, body: unknown) => {
    const json = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
    res.end(json);
  };
  if (req.method === 'POST' && req.url === '/webhook') {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const header = req.headers['stripe-signature'];
      const event = verifiedEvent(raw, typeof header === 'string' ? header : undefined, webhookSecret);
      if (!event) return send(400, { message: 'Invalid signature' });
      storeEvent(pool, raw, event).then(
        () => send(200, { received: true, event_id: event.id }),
        () => send(500, { message: 'Internal server error' }),
      );
    });
    return;
  }
  if (req.method === 'POST' && (req.url === '/upload/discard' || req.url === '/upload/file')) {
    const path = join(tmpdir(), `atrium-bench-upload-${process.pid}-${Date.now()}`);
    const sink =
      req.url === '/upload/file'
        ? createWriteStream(path, { flags: 'wx', highWaterMark: 1024 * 1024 })
        : new Writable({ write: (_chunk, _encoding, done) => done() });
    pipeline(req, sink)
      .then(() => send(201, { data: { bytes: req.socket.bytesRead } }))
      .catch(() => send(500, { message: 'Internal server error' }))
      .finally(() => void rm(path, { force: true }));
    return;
  }
  const hmacRoute = req.method === 'POST' ? WEBHOOK_HMAC_PATH.exec(req.url ?? '') : null;
  if (hmacRoute) {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const header = req.headers['x-signature'];
      if (!hmacVerified(raw, typeof header === 'string' ? header : undefined, webhookSecret))
        return send(401, { message: 'Invalid signature' });
      storeWebhook(pool, { organization: hmacRoute[1], provider: hmacRoute[2] }, raw, req.headers).then(
        (id) => send(200, { data: { event_id: id, duplicate: !id } }),
        () => send(500, { message: 'Internal server error' }),
      );
    });
    return;
  }
  const lists: Record<string, List> = { '/chats?page=1&limit=20': chatList, '/notifications?page=1&limit=20': notificationList };
  const url = req.url ?? '';
  const list = req.method !== 'GET' ? undefined : url.startsWith('/audit-logs?') ? auditList : lists[url];
  if (list) {
    const claims = claimsOf(req.headers.authorization, verify);
    if (!claims) return send(401, { message: 'Unauthorized' });
    list(pool, claims, new URLSearchParams(url.slice(url.indexOf('?') + 1))).then(
      (page) => send(200, page),
      () => send(500, { message: 'Internal server error' }),
    );
    return;
  }
  if (req.method !== 'GET' || req.url !== '/me') return send(404, { message: 'Not found' });
  const sub = subjectOf(req.headers.authorization, verify);
  if (!sub) return send(401, { message: 'Unauthorized' });
  pool.query(USER_BY_ID, [sub]).then(
    ({ rows }) => (rows[0] ? send(200, { data: rows[0] }) : send(404, { message: 'Not found' })),
    () => send(500, { message: 'Internal server error' }),
  );
});

const io = new SocketServer(server, { serveClient: false });
io.on('connection', (socket) => {
  void socket.join('bench');
  socket.on('bench:send', (payload: unknown, ack?: (answer: unknown) => void) => {
    io.to('bench').emit('bench:message', payload);
    ack?.({ ok: true });
  });
});

server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => void io.close(() => void pool.end().then(() => process.exit(0))));
