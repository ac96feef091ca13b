import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The data types the mock services hold (and page out at /api/mock/api/data/{type}). */
export const SANDBOX_TYPES = ['users', 'subscriptions', 'notifications'] as const;
export type SandboxType = (typeof SANDBOX_TYPES)[number];

/** Fault switches: every mock route waits `latencyMs`, answers 500 with probability `errorRate`, and 503 while `down`. */
export interface SandboxFaults {
  latencyMs: number;
  errorRate: number;
  down: boolean;
}

export interface SandboxOptions {
  port?: number;
  host?: string;
  /** Where signed webhooks go, e.g. `http://localhost:3000/api/v1/webhooks/acme/user-service`; none sent when absent. */
  target?: string;
  /** The provider's hmac-sha256 secret in Atrium, signing `X-Signature: sha256=<hex>`. */
  secret?: string;
  /** Sent as `X-Tenant-Domain` (an organization slug), for targets that name no organization. */
  organization?: string;
  faults?: Partial<SandboxFaults>;
  /** Records created at start, per type (no webhooks for them). */
  seed?: Partial<Record<SandboxType, number>>;
}

/** A webhook the sandbox sent, and what Atrium answered. */
export interface SentWebhook {
  event_id: string;
  type: string;
  status: number | null;
  error: string | null;
}

export interface Sandbox {
  /** e.g. `http://127.0.0.1:8000` */
  url: string;
  /** The mock services' base URL (`url` + `/api/mock`): a provider's base_url. */
  baseUrl: string;
  faults: SandboxFaults;
  records: Record<SandboxType, Array<Record<string, unknown>>>;
  webhooks: SentWebhook[];
  /** Every request the mock services answered (fault switches included), oldest first. */
  requests: Array<{ method: string; path: string; query: Record<string, string> }>;
  /** Creates a record as `POST /api/mock/{type}` does (its webhook sent and awaited). */
  create(type: SandboxType, fields: Record<string, unknown>): Promise<{ record: Record<string, unknown>; webhook: SentWebhook | null }>;
  close(): Promise<void>;
}

const EVENT_OF: Record<SandboxType, string> = {
  users: 'user.created',
  subscriptions: 'subscription.created',
  notifications: 'notification.created',
};
const DEFAULTS: Record<SandboxType, (n: number) => Record<string, unknown>> = {
  users: (n) => ({ email: `user${n}@sandbox.test`, name: `Sandbox User ${n}`, status: 'active' }),
  // With its currency, as a payment service states it: Atrium's subscription handler refuses an amount without one.
  subscriptions: (n) => ({
    user_id: randomUUID(),
    plan: n % 2 ? 'premium' : 'basic',
    amount: n % 2 ? '29.99' : '9.99',
    currency: 'USD',
    status: 'active',
  }),
  notifications: (n) => ({ user_id: randomUUID(), type: 'email', subject: `Hello ${n}`, message: 'Welcome to our platform' }),
};
const MAX_BODY = 1024 * 1024;
const MAX_PAGE = 1000;

const send = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};
const ok = (res: ServerResponse, data: unknown, message = 'Success', status = 200) =>
  send(res, status, { status: 'success', message, data });
const failure = (res: ServerResponse, status: number, error: string) => send(res, status, { status: 'failure', error, data: null });

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error('Body over 1 MB');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

/**
 * Starts the partner stand-ins of integrations-api-b.md on `opts.port` (0: any free port): the mock users,
 * subscriptions and notifications services (GET lists, POST creates and fires a signed webhook at `opts.target`),
 * their health check, paged data for syncs, and fault switches (`GET`/`POST /api/mock/faults`).
 */
export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const faults: SandboxFaults = { latencyMs: 0, errorRate: 0, down: false, ...opts.faults };
  const records = { users: [], subscriptions: [], notifications: [] } as Sandbox['records'];
  const webhooks: SentWebhook[] = [];
  const requests: Sandbox['requests'] = [];

  const fire = async (type: SandboxType, record: Record<string, unknown>): Promise<SentWebhook | null> => {
    if (!opts.target) return null;
    // The record's fields at the top level (as the documents' examples send them) and under `data`; the event's own
    // fields win (a notification's `type` is its channel, not the event type).
    const event = { ...record, event_id: randomUUID(), type: EVENT_OF[type], data: record };
    const body = JSON.stringify(event);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-event-type': event.type };
    if (opts.secret) headers['x-signature'] = `sha256=${createHmac('sha256', opts.secret).update(body).digest('hex')}`;
    if (opts.organization) headers['x-tenant-domain'] = opts.organization;
    const sent: SentWebhook = { event_id: event.event_id, type: event.type, status: null, error: null };
    try {
      const res = await fetch(opts.target, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
      sent.status = res.status;
      if (!res.ok) sent.error = (await res.text()).slice(0, 500);
    } catch (err) {
      sent.error = err instanceof Error ? err.message : String(err);
    }
    webhooks.push(sent);
    return sent;
  };

  const create = async (type: SandboxType, fields: Record<string, unknown>) => {
    const record = { ...DEFAULTS[type](records[type].length + 1), ...fields, id: randomUUID(), created_at: new Date().toISOString() };
    records[type].push(record);
    return { record, webhook: await fire(type, record) };
  };
  for (const type of SANDBOX_TYPES) {
    for (let i = 0; i < (opts.seed?.[type] ?? 0); i++) {
      records[type].push({ ...DEFAULTS[type](i + 1), id: randomUUID(), created_at: new Date().toISOString() });
    }
  }

  const route = async (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> => {
    if (path === '/api/mock/faults') {
      if (req.method === 'POST') {
        const body = (await readJson(req)) as { latency_ms?: unknown; error_rate?: unknown; down?: unknown };
        const problems: string[] = [];
        if (body.latency_ms !== undefined && !(typeof body.latency_ms === 'number' && body.latency_ms >= 0))
          problems.push('latency_ms must be a number ≥ 0');
        if (body.error_rate !== undefined && !(typeof body.error_rate === 'number' && body.error_rate >= 0 && body.error_rate <= 1)) {
          problems.push('error_rate must be a number from 0 to 1');
        }
        if (body.down !== undefined && typeof body.down !== 'boolean') problems.push('down must be true or false');
        if (problems.length) return failure(res, 400, problems.join('; '));
        if (typeof body.latency_ms === 'number') faults.latencyMs = body.latency_ms;
        if (typeof body.error_rate === 'number') faults.errorRate = body.error_rate;
        if (typeof body.down === 'boolean') faults.down = body.down;
      }
      return ok(res, { latency_ms: faults.latencyMs, error_rate: faults.errorRate, down: faults.down }, 'Fault switches');
    }
    if (faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
    if (faults.down) return failure(res, 503, 'Service down (fault switch)');
    if (faults.errorRate > 0 && Math.random() < faults.errorRate) return failure(res, 500, 'Injected error (fault switch)');

    if (path === '/api/mock/health' && req.method === 'GET') {
      const services = { user_service: 'operational', payment_service: 'operational', communication_service: 'operational' };
      return ok(res, { timestamp: new Date().toISOString(), services }, 'System healthy');
    }
    const data = /^\/api\/mock\/api\/data\/([a-z]+)$/.exec(path);
    if (data && req.method === 'GET') {
      const type = data[1] as SandboxType;
      if (!SANDBOX_TYPES.includes(type)) return failure(res, 404, `Unknown data type ${type}`);
      const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
      const limit = Math.min(MAX_PAGE, Math.max(1, Number(query.get('limit') ?? 100) || 100));
      const all = records[type];
      return ok(res, { records: all.slice((page - 1) * limit, page * limit), total: all.length, page, limit });
    }
    const mock = /^\/api\/mock\/([a-z]+)$/.exec(path);
    if (mock && SANDBOX_TYPES.includes(mock[1] as SandboxType)) {
      const type = mock[1] as SandboxType;
      if (req.method === 'GET') return ok(res, { results: records[type], total: records[type].length });
      if (req.method === 'POST') {
        const body = await readJson(req);
        if (!body || typeof body !== 'object' || Array.isArray(body)) return failure(res, 400, 'The body must be a JSON object');
        const { record, webhook } = await create(type, body as Record<string, unknown>);
        if (webhook) res.setHeader('x-webhook-status', String(webhook.status ?? 'failed'));
        return ok(res, record, 'Success', 201);
      }
    }
    return failure(res, 404, `No route ${req.method} ${path}`);
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    requests.push({ method: req.method ?? 'GET', path, query: Object.fromEntries(url.searchParams) });
    route(req, res, path, url.searchParams).catch((err: unknown) => {
      if (!res.headersSent) failure(res, err instanceof SyntaxError ? 400 : 500, err instanceof Error ? err.message : String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://${opts.host ?? '127.0.0.1'}:${port}`;
  return {
    url,
    baseUrl: `${url}/api/mock`,
    faults,
    records,
    webhooks,
    requests,
    create,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
