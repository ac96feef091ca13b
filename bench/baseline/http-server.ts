import { createServer } from 'node:http';
import { baselineEnv, baselinePool, storeEvent, subjectOf, USER_BY_ID, verifiedEvent } from './shared.js';

/** Baseline 1: plain node:http. `GET /me`: JWT verify + one indexed SELECT over pg; `POST /webhook`: a signed Stripe callback stored once. */
const { port, databaseUrl, verify, webhookSecret } = baselineEnv();
const pool = baselinePool(databaseUrl);

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
  if (req.method !== 'GET' || req.url !== '/me') return send(404, { message: 'Not found' });
  const sub = subjectOf(req.headers.authorization, verify);
  if (!sub) return send(401, { message: 'Unauthorized' });
  pool.query(USER_BY_ID, [sub]).then(
    ({ rows }) => (rows[0] ? send(200, { data: rows[0] }) : send(404, { message: 'Not found' })),
    () => send(500, { message: 'Internal server error' }),
  );
});

server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
