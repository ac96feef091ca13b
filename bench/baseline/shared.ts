import { createHmac, timingSafeEqual } from 'node:crypto';
import pg from 'pg';
import Stripe from 'stripe';
import { createAccessTokenVerifier } from '@atrium/access/tokens/access-token-format.js';
import { auditPage, type AuditPageRow, auditPageStatement } from '@atrium/audit/query/audit-page.js';
import { CHAT_LIST_SQL, chatPage, type ChatRow } from '@atrium/messaging/chats/chat-reader.js';
import { NOTIFICATION_PAGE_SQL, notificationPage, type NotificationPageRow } from '@atrium/notifications/notification-reader.js';

/**
 * What both baselines do per request: verify the app's HS256 access token with the app's own verifier (fast-jwt,
 * same options and cache), then one SELECT by primary key. `POST /webhook`: verify a `Stripe-Signature` on the raw
 * body with the SDK, then one `INSERT … ON CONFLICT DO NOTHING` into the app's `payment_events`.
 */
export const USER_BY_ID = `SELECT id, email, first_name, last_name, phone, avatar_url, email_verified_at, status, created_at, updated_at
  FROM users WHERE id = $1`;

export type TokenVerifier = (token: string) => Record<string, unknown>;

export function baselineEnv(): { port: number; databaseUrl: string; verify: TokenVerifier; webhookSecret: string } {
  const { PORT, DATABASE_URL, JWT_SECRET, STRIPE_WEBHOOK_SECRET } = process.env;
  if (!PORT || !DATABASE_URL || !JWT_SECRET || !STRIPE_WEBHOOK_SECRET) {
    throw new Error('PORT, DATABASE_URL, JWT_SECRET and STRIPE_WEBHOOK_SECRET are required');
  }
  return {
    port: Number(PORT),
    databaseUrl: DATABASE_URL,
    verify: createAccessTokenVerifier(Buffer.from(JWT_SECRET, 'utf8')),
    webhookSecret: STRIPE_WEBHOOK_SECRET,
  };
}

export function baselinePool(databaseUrl: string): pg.Pool {
  return new pg.Pool({
    connectionString: databaseUrl,
    max: Number(process.env.DATABASE_POOL_SIZE ?? 20),
    application_name: 'atrium-baseline',
  });
}

/** The token's subject, or undefined when the header is missing or the token does not verify. */
export function subjectOf(authorization: string | undefined, verify: TokenVerifier): string | undefined {
  return claimsOf(authorization, verify)?.sub;
}

/** The token's subject and organization, or undefined when the header is missing or the token does not verify. */
export function claimsOf(authorization: string | undefined, verify: TokenVerifier): { sub: string; org: string } | undefined {
  const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
  if (!token) return undefined;
  try {
    const claims = verify(token);
    return typeof claims.sub === 'string' && typeof claims.org === 'string' ? { sub: claims.sub, org: claims.org } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `GET /chats?page=1&limit=20` as plain code does it: the app's own list statement (named, so prepared once per
 * connection) and the app's own row-to-page mapping, for the caller's organization.
 */
export async function chatList(pool: pg.Pool, claims: { sub: string; org: string }): Promise<unknown> {
  const query = { page: 1, limit: 20 };
  const { rows } = await pool.query<ChatRow & { total: string }>({
    name: 'baseline_chat_list',
    text: CHAT_LIST_SQL,
    values: [claims.org, claims.sub, query.limit, 0],
  });
  return chatPage(rows, query);
}

/** `GET /notifications?page=1&limit=20` as plain code does it: the app's own statement (prepared) and mapping. */
export async function notificationList(pool: pg.Pool, claims: { sub: string; org: string }): Promise<unknown> {
  const query = { page: 1, limit: 20 };
  const { rows } = await pool.query<NotificationPageRow>({
    name: 'baseline_notification_list',
    text: NOTIFICATION_PAGE_SQL,
    values: [claims.org, claims.sub, query.limit, 0],
  });
  return notificationPage(rows, query);
}

/**
 * `GET /audit-logs?page&limit&action&user_id` as plain code does it: the app's own statement for those filters (named
 * by their shape, so prepared once per connection) and the app's own mapping.
 */
export async function auditList(pool: pg.Pool, claims: { sub: string; org: string }, search: URLSearchParams): Promise<unknown> {
  const query = { page: Number(search.get('page') ?? 1), limit: Number(search.get('limit') ?? 10) };
  const filters = { action: search.get('action') ?? undefined, userId: search.get('user_id') ?? undefined };
  const statement = auditPageStatement(claims.org, filters, query);
  const { rows } = await pool.query<AuditPageRow>({ name: `baseline_${statement.name}`, text: statement.text, values: statement.values });
  return auditPage(rows, query);
}

/** The app's claim of a callback, as one statement: stored once by (gateway, event id), a redelivery changes nothing. */
export const STORE_EVENT = `INSERT INTO payment_events (gateway, event_id, type, payload) VALUES ('stripe', $1, $2, $3::jsonb)
  ON CONFLICT (gateway, event_id) DO NOTHING`;

/** Tolerance of the app's Stripe check (STRIPE_SIGNATURE_TOLERANCE_S). */
const STRIPE_TOLERANCE_S = 300;

/** The event's id and type when the signature verifies (as the app checks it: the SDK, same secret and tolerance), else undefined. */
export function verifiedEvent(
  raw: Buffer | undefined,
  header: string | undefined,
  secret: string,
): { id: string; type: string } | undefined {
  if (!raw?.length || !header) return undefined;
  try {
    const event = Stripe.webhooks.constructEvent(raw, header, secret, STRIPE_TOLERANCE_S);
    return typeof event.id === 'string' && typeof event.type === 'string' ? { id: event.id, type: event.type } : undefined;
  } catch {
    return undefined;
  }
}

/** Runs STORE_EVENT for a verified callback. */
export function storeEvent(pool: pg.Pool, raw: Buffer, event: { id: string; type: string }): Promise<unknown> {
  return pool.query(STORE_EVENT, [event.id, event.type, raw.toString('utf8')]);
}

/**
 * `POST /webhook-hmac/<organization id>/<provider id>`: what the app's signed-webhook route does at its floor — the
 * same `X-Signature` HMAC-SHA256 over the raw body with the same secret (constant-time), then one
 * `INSERT … ON CONFLICT DO NOTHING` into the app's `webhook_events` (same table, indexes and constraints).
 */
export const WEBHOOK_HMAC_PATH = /^\/webhook-hmac\/([0-9a-f-]{36})\/([0-9a-f-]{36})$/;

export const STORE_WEBHOOK = `INSERT INTO webhook_events (organization_id, provider_id, external_id, event_type, body, headers)
  VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (provider_id, external_id) DO NOTHING RETURNING id`;

/** Whether `header` (hex or sha256=<hex>) is the HMAC-SHA256 of `raw` under `secret`. */
export function hmacVerified(raw: Buffer | undefined, header: string | undefined, secret: string): boolean {
  const hex = /^(?:sha256=)?([0-9a-f]{64})$/i.exec(header?.trim() ?? '')?.[1];
  if (!raw || !hex) return false;
  return timingSafeEqual(createHmac('sha256', secret).update(raw).digest(), Buffer.from(hex, 'hex'));
}

/** Stores a verified webhook once by the body's `event_id`; answers the stored row's id (none for a duplicate). */
export async function storeWebhook(
  pool: pg.Pool,
  ids: { organization: string; provider: string },
  raw: Buffer,
  headers: Record<string, unknown>,
): Promise<string | undefined> {
  const body = JSON.parse(raw.toString('utf8')) as { event_id?: string; type?: string };
  const { rows } = await pool.query<{ id: string }>({
    name: 'baseline_store_webhook',
    text: STORE_WEBHOOK,
    values: [ids.organization, ids.provider, String(body.event_id), body.type ?? null, raw, JSON.stringify(headers)],
  });
  return rows[0]?.id;
}
