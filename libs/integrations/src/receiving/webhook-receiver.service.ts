import { Injectable, Optional } from '@nestjs/common';
import { createHash } from 'node:crypto';
import {
  acrossTenants,
  withTenant,
  Clock,
  type Count,
  type FeatureBudget,
  isUuid,
  Outbox,
  PlatformError,
  PreparedQuery,
  RateLimitCounters,
  StatementPool,
} from '@atrium/platform';
import { IntegrationsConfig } from '../integrations.config.js';
import { IntegrationsError } from '../integrations.errors.js';
import { WebhookEventPump } from '../processing/webhook-event-pump.js';
import { ProviderSecrets } from '../providers/provider-secrets.js';
import { SCHEMES } from '../signatures/schemes.js';
import { type SignedRequest, type SigningSecret, verifyRequest } from '../signatures/signature-scheme.js';
import { ProviderCache, type ProviderRow } from './provider-cache.js';

/** The largest webhook body accepted (413 past it), whatever BODY_LIMIT allows other routes. */
export const WEBHOOK_BODY_LIMIT = 1024 * 1024;
const MAX_ID_LENGTH = 200;

/** Headers never stored with an event: credentials a proxy or a misconfigured sender may pass along. */
const UNSTORED_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key']);

/** The provider a webhook URL names (a live one before a deleted one of the same name, to answer 410 only when no live one exists). */
const lookup = (organization: string) => `
  SELECT p.id, p.organization_id, p.signature_scheme, p.secret_sealed, p.previous_secret_sealed, p.previous_secret_expires_at, p.deleted_at
    FROM webhook_providers p ${organization}
   ORDER BY p.deleted_at IS NOT NULL, p.deleted_at DESC
   LIMIT 1`;

/**
 * The dedupe claim, which is also the queue entry (a `received` row of this deployment, see WebhookEventPump): one
 * row, one statement. A duplicate (same provider and event id) inserts nothing and answers no row.
 */
const STORE = `
  INSERT INTO webhook_events (organization_id, provider_id, external_id, event_type, body, headers, request_id, scope)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
  ON CONFLICT (provider_id, external_id) DO NOTHING
  RETURNING id`;

/** An incoming webhook as the controller hands it over. */
export interface IncomingWebhook {
  /** Organization id or slug. */
  organization: string | undefined;
  provider: string;
  body: Buffer;
  /** The body as the JSON parser read it, when it was JSON. */
  parsed: unknown;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  requestId: string;
  /** Shown the provider's rate-limit counter after this webhook; throws the 429 when it went past the budget. */
  counted(count: Count): void;
}

/** What the sender is answered: the stored event's id (the original one for a duplicate). */
export interface WebhookReceipt {
  eventId: string;
  duplicate: boolean;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : undefined);

/**
 * The receiving hot path: checks in this order — body size, the provider (404 unknown, 410 deleted), the scheme's
 * headers, its timestamp tolerance, the signature under every live secret, the provider's rate limit — then the dedupe
 * claim, which queues the event for processing, then the answer. Nothing is stored for a refused webhook. One prepared
 * statement per webhook while its provider is cached, two otherwise.
 */
@Injectable()
export class WebhookReceiver {
  private readonly byId: PreparedQuery<ProviderRow>;
  private readonly bySlug: PreparedQuery<ProviderRow>;
  private readonly store: PreparedQuery<{ id: string }>;
  private readonly original: PreparedQuery<{ id: string }>;
  private readonly budget?: FeatureBudget;

  constructor(
    statements: StatementPool,
    private readonly outbox: Outbox,
    private readonly secrets: ProviderSecrets,
    private readonly clock: Clock,
    private readonly cache: ProviderCache,
    config: IntegrationsConfig,
    // Absent only where no HTTP request is served (the worker also loads this module).
    @Optional() counters?: RateLimitCounters,
    // Present only where workers run: woken after each stored event, so it needs no poll to find it.
    @Optional() private readonly pump?: WebhookEventPump,
  ) {
    this.byId = new PreparedQuery(statements, 'webhook_provider_by_org_id', lookup('WHERE p.organization_id = $1 AND p.name = $2'));
    this.bySlug = new PreparedQuery(
      statements,
      'webhook_provider_by_org_slug',
      lookup('JOIN organizations o ON o.id = p.organization_id WHERE o.slug = $1 AND p.name = $2'),
    );
    this.store = new PreparedQuery(statements, 'webhook_event_store', STORE);
    this.original = new PreparedQuery(
      statements,
      'webhook_event_original',
      'SELECT id FROM webhook_events WHERE provider_id = $1 AND external_id = $2',
    );
    this.budget = counters?.budget('webhook-provider', config.perProviderPerMinute, 60);
  }

  async receive(hook: IncomingWebhook): Promise<WebhookReceipt> {
    if (hook.body.length > WEBHOOK_BODY_LIMIT) throw PlatformError.payload_too_large('A webhook body may be at most 1 MB');
    if (!hook.organization) throw IntegrationsError.tenant_required();
    const request: SignedRequest = { body: hook.body, headers: hook.headers, nowMs: this.clock.now().getTime() };
    // A cached provider only ever lets a webhook through: anything it would refuse is checked again on a fresh read.
    const cached = this.cache.get(hook.organization, hook.provider);
    let provider = cached;
    let failure = provider && verifyRequest(SCHEMES[provider.signature_scheme], request, this.liveSecrets(provider, request.nowMs));
    if (!provider || failure) {
      provider = await this.provider(hook.organization, hook.provider);
      failure = verifyRequest(SCHEMES[provider.signature_scheme], request, this.liveSecrets(provider, request.nowMs));
      if (!failure) this.cache.keep(hook.organization, hook.provider, provider);
    }
    const scheme = SCHEMES[provider.signature_scheme];
    if (failure === 'header_missing') {
      const missing = scheme.requiredHeaders.filter((h) => !hook.headers[h]);
      throw IntegrationsError.signature_header_missing(`Missing signature header(s): ${missing.join(', ')}`, { missing });
    }
    if (failure === 'timestamp') throw IntegrationsError.signature_timestamp_out_of_tolerance();
    if (failure === 'signature') throw IntegrationsError.signature_invalid();
    const count = await this.budget?.hit(provider.id);
    if (count) hook.counted(count);

    const parsed = hook.parsed as { event_id?: unknown; type?: unknown } | undefined;
    const externalId = text(parsed?.event_id) ?? scheme.eventId(request, parsed) ?? createHash('sha256').update(hook.body).digest('hex');
    const type = text(parsed?.type) ?? text(hook.headers['x-event-type']) ?? null;
    const tooLong = [...(externalId.length > MAX_ID_LENGTH ? ['event_id'] : []), ...(type && type.length > MAX_ID_LENGTH ? ['type'] : [])];
    if (tooLong.length) {
      throw PlatformError.validation_failed(
        `${tooLong.join(' and ')} may be at most ${MAX_ID_LENGTH} characters`,
        tooLong.map((field) => ({ field, problems: [`${field} may be at most ${MAX_ID_LENGTH} characters`] })),
      );
    }
    const organizationId = provider.organization_id;
    const [stored] = await withTenant(organizationId, () =>
      this.store.rows([
        organizationId,
        provider.id,
        externalId,
        type,
        hook.body,
        JSON.stringify(storedHeaders(hook.headers)),
        hook.requestId,
        this.outbox.scope,
      ]),
    );
    if (stored) {
      this.pump?.wake();
      return { eventId: stored.id, duplicate: false };
    }
    // A new statement: it sees the row a concurrent sender's claim committed (the INSERT waited for it).
    const [first] = await withTenant(organizationId, () => this.original.rows([provider.id, externalId]));
    return { eventId: first.id, duplicate: true };
  }

  private async provider(organization: string, name: string): Promise<ProviderRow> {
    // Row-level security: an organization named by id is the scope itself; one named by slug is found across tenants.
    const key = [organization.toLowerCase(), name.toLowerCase()];
    const [row] = isUuid(organization)
      ? await withTenant(key[0], () => this.byId.rows(key))
      : await acrossTenants(() => this.bySlug.rows(key));
    if (!row) throw IntegrationsError.provider_not_found();
    if (row.deleted_at) throw IntegrationsError.provider_gone();
    return row;
  }

  /** The current secret, and the previous one while its grace window lasts. */
  private liveSecrets(p: ProviderRow, nowMs: number): SigningSecret[] {
    const live = [this.secrets.open(p.secret_sealed!, p.id)];
    if (p.previous_secret_sealed && p.previous_secret_expires_at && p.previous_secret_expires_at.getTime() > nowMs) {
      live.push(this.secrets.open(p.previous_secret_sealed, p.id));
    }
    return live;
  }
}

/** The headers as received, without credentials; repeated headers as their list. */
function storedHeaders(headers: IncomingWebhook['headers']): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !UNSTORED_HEADERS.has(name)) kept[name] = value;
  return kept;
}
