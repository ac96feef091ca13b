import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

/**
 * A small Stripe API in the test process, for the real `stripe` SDK pointed at it (`STRIPE_API_URL=fake.url`). It
 * implements the calls StripeGateway makes — customers create/retrieve/update, payment_methods create/retrieve/attach,
 * payment_intents create (with confirm/off_session)/retrieve/confirm, checkout sessions create/retrieve — with
 * Stripe's form-encoded bodies, Bearer auth, `Idempotency-Key` replay, and errors in Stripe's JSON shape and status
 * (a decline is a 402, so the SDK throws StripeCardError).
 *
 * Test cards, as Stripe documents them (`tok_<name>` tokens and `pm_card_<name>` PaymentMethods):
 * - `visa` (4242), `mastercard` (4444): attach and charge.
 * - `chargeDeclined` (0002): declined (`card_declined` / `generic_decline`), on attach and on charge.
 * - `chargeDeclinedInsufficientFunds` (9995): declined (`card_declined` / `insufficient_funds`), on attach and on charge.
 * - `chargeCustomerFail` (0341): attaches, then every charge is declined (`generic_decline`): a renewal that fails.
 */
export class FakeStripe {
  readonly apiKey: string;
  /** Every request received, in order (auth failures and injected faults included). */
  readonly requests: FakeStripeRequest[] = [];
  private server?: Server;
  private readonly now: () => Date;
  private readonly customers = new Map<string, Json>();
  private readonly methods = new Map<string, Json>();
  private readonly cardOf = new Map<string, TestCard>();
  private readonly intents = new Map<string, Json>();
  private readonly sessions = new Map<string, Json>();
  private readonly sessionIntentData = new Map<string, Json>();
  private readonly saved = new Map<string, { fingerprint: string; status: number; body: Json }>();
  private faults: { status: number; retry: boolean }[] = [];
  private dropNext = false;

  constructor(options: { apiKey?: string; now?: () => Date } = {}) {
    this.apiKey = options.apiKey ?? 'sk_test_fakestripe';
    this.now = options.now ?? (() => new Date());
  }

  /** Base URL for `STRIPE_API_URL` / `BillingConfig.stripe.apiUrl`. */
  get url(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => send(res, 500, stripeError('api_error', `fake-stripe: ${String(err)}`)));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** How many requests carried this `Idempotency-Key` (replays and retries included). */
  requestsWithKey(key: string): number {
    return this.requests.filter((r) => r.idempotencyKey === key).length;
  }

  /** The next `count` requests answer 5xx without running; `retry: false` sends `Stripe-Should-Retry: false`. */
  failNext(count = 1, options: { status?: number; retry?: boolean } = {}): void {
    for (let i = 0; i < count; i++) this.faults.push({ status: options.status ?? 500, retry: options.retry ?? true });
  }

  /** The next request runs (and its idempotent result is saved), then the connection drops before the answer. */
  dropNextResponse(): void {
    this.dropNext = true;
  }

  customer(id: string): Json | undefined {
    return clone(this.customers.get(id));
  }

  paymentMethod(id: string): Json | undefined {
    return clone(this.methods.get(id));
  }

  intent(id: string): Json | undefined {
    return clone(this.intents.get(id));
  }

  /** All PaymentIntents, oldest first (to assert "charged once"). */
  allIntents(): Json[] {
    return [...this.intents.values()].map((i) => clone(i));
  }

  session(id: string): Json | undefined {
    return clone(this.sessions.get(id));
  }

  /** What Stripe.js does when the payer confirms on the page: the intent succeeds or is declined by the test card. */
  confirmIntent(id: string, paymentMethod = 'pm_card_visa'): Json {
    const intent = this.intents.get(id);
    if (!intent) throw new Error(`fake-stripe: no intent ${id}`);
    const methodId = this.resolveMethod(paymentMethod, intent.customer as string | null);
    this.applyCharge(intent, methodId);
    return clone(intent);
  }

  /** Sets an intent's state directly (statuses the fake does not reach by itself: processing, requires_action, …). */
  setIntentStatus(id: string, status: string, lastPaymentError: Json | null = null): Json {
    const intent = this.intents.get(id);
    if (!intent) throw new Error(`fake-stripe: no intent ${id}`);
    Object.assign(intent, { status, last_payment_error: lastPaymentError, amount_received: status === 'succeeded' ? intent.amount : 0 });
    return clone(intent);
  }

  /** The payer pays on the Checkout page: the session gets its PaymentIntent, charged with the test card. */
  completeCheckout(sessionId: string, paymentMethod = 'pm_card_visa'): { session: Json; intent: Json } {
    const session = this.sessions.get(sessionId);
    if (!session) throw new Error(`fake-stripe: no session ${sessionId}`);
    const data = this.sessionIntentData.get(sessionId) ?? {};
    const intent = this.newIntent({
      amount: session.amount_total,
      currency: session.currency,
      customer: session.customer,
      description: data.description ?? null,
      metadata: data.metadata ?? {},
    });
    session.payment_intent = intent.id;
    this.applyCharge(intent, this.resolveMethod(paymentMethod, null));
    if (intent.status === 'succeeded') Object.assign(session, { status: 'complete', payment_status: 'paid' });
    return { session: clone(session), intent: clone(intent) };
  }

  expireCheckout(sessionId: string): Json {
    const session = this.sessions.get(sessionId);
    if (!session) throw new Error(`fake-stripe: no session ${sessionId}`);
    session.status = 'expired';
    return clone(session);
  }

  /** A Stripe event (`evt_…`, created now) about a snapshot of `object`. */
  event(type: string, object: Json): Json {
    return {
      id: `evt_${token()}`,
      object: 'event',
      api_version: Stripe.API_VERSION,
      created: Math.floor(this.now().getTime() / 1000),
      data: { object: clone(object) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    };
  }

  /** The event Stripe sends for the intent's current state (or of the given type, e.g. a stale `payment_failed`). */
  intentEvent(id: string, type?: string): Json {
    const intent = this.intents.get(id);
    if (!intent) throw new Error(`fake-stripe: no intent ${id}`);
    return this.event(type ?? INTENT_EVENT[intent.status as string] ?? 'payment_intent.created', intent);
  }

  /** `charge.succeeded` / `charge.failed` for the intent's latest charge. */
  chargeEvent(intentId: string): Json {
    const intent = this.intents.get(intentId);
    if (!intent?.latest_charge) throw new Error(`fake-stripe: intent ${intentId} has no charge`);
    const ok = intent.status === 'succeeded';
    const error = intent.last_payment_error as Json | null;
    return this.event(ok ? 'charge.succeeded' : 'charge.failed', {
      id: intent.latest_charge,
      object: 'charge',
      amount: intent.amount,
      currency: intent.currency,
      customer: intent.customer,
      payment_intent: intent.id,
      metadata: intent.metadata,
      paid: ok,
      status: ok ? 'succeeded' : 'failed',
      failure_code: ok ? null : (error?.code ?? null),
      failure_message: ok ? null : (error?.message ?? null),
      created: intent.created,
    });
  }

  /** `checkout.session.completed` (or `.expired`) for the session's current state. */
  checkoutEvent(sessionId: string): Json {
    const session = this.sessions.get(sessionId);
    if (!session) throw new Error(`fake-stripe: no session ${sessionId}`);
    return this.event(session.status === 'expired' ? 'checkout.session.expired' : 'checkout.session.completed', session);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0];
    const params = parseForm(Buffer.concat(chunks).toString('utf8'));
    const idempotencyKey = header(req, 'idempotency-key');
    this.requests.push({ method, path, params, idempotencyKey, stripeVersion: header(req, 'stripe-version') });

    if (header(req, 'authorization') !== `Bearer ${this.apiKey}`) {
      const key = (header(req, 'authorization') ?? '').replace(/^Bearer /, '');
      return send(res, 401, stripeError('invalid_request_error', `Invalid API Key provided: ${key.slice(0, 8)}****${key.slice(-4)}`));
    }
    const fault = this.faults.shift();
    if (fault) {
      const headers: Record<string, string> = fault.retry ? {} : { 'stripe-should-retry': 'false' };
      return send(res, fault.status, stripeError('api_error', 'An unknown error occurred on the fake Stripe server.'), headers);
    }

    const fingerprint = `${method} ${path} ${stableJson(params)}`;
    const earlier = method === 'POST' && idempotencyKey ? this.saved.get(idempotencyKey) : undefined;
    if (earlier && earlier.fingerprint !== fingerprint) {
      const message = `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`;
      return send(res, 400, stripeError('idempotency_error', message));
    }
    if (earlier) return send(res, earlier.status, earlier.body, { 'idempotent-replayed': 'true' });

    const { status, body } = this.route(method, path, params);
    // Like Stripe, a result is kept for replay once the endpoint ran (a decline too), not when the request was invalid.
    if (method === 'POST' && idempotencyKey && (status < 400 || status === 402)) {
      this.saved.set(idempotencyKey, { fingerprint, status, body });
    }
    if (this.dropNext) {
      this.dropNext = false;
      req.socket.destroy();
      return;
    }
    send(res, status, body);
  }

  private route(method: string, path: string, p: Json): { status: number; body: Json } {
    try {
      const [, resource, id, action] =
        /^\/v1\/(customers|payment_methods|payment_intents|checkout\/sessions)(?:\/([^/]+))?(?:\/([a-z_]+))?$/.exec(path) ?? [];
      const op = `${method} ${resource}${id ? '/:id' : ''}${action ? `/${action}` : ''}`;
      switch (op) {
        case 'POST customers':
          return ok(this.createCustomer(p));
        case 'GET customers/:id':
          return ok(this.find(this.customers, id, 'customer'));
        case 'POST customers/:id':
          return ok(this.updateCustomer(this.find(this.customers, id, 'customer'), p));
        case 'POST payment_methods':
          return ok(this.createMethod(p));
        case 'GET payment_methods/:id':
          return ok(this.find(this.methods, id, 'payment_method'));
        case 'POST payment_methods/:id/attach':
          return ok(this.attachMethod(id, p));
        case 'POST payment_intents':
          return ok(this.createIntent(p));
        case 'GET payment_intents/:id':
          return ok(this.find(this.intents, id, 'payment_intent'));
        case 'POST payment_intents/:id/confirm':
          return ok(this.confirmOverApi(this.find(this.intents, id, 'payment_intent'), p));
        case 'POST checkout/sessions':
          return ok(this.createSession(p));
        case 'GET checkout/sessions/:id':
          return ok(this.find(this.sessions, id, 'checkout.session'));
        default:
          throw new ApiError(404, stripeError('invalid_request_error', `Unrecognized request URL (${method}: ${path}).`));
      }
    } catch (err) {
      if (err instanceof ApiError) return { status: err.status, body: err.body };
      throw err;
    }
  }

  private createCustomer(p: Json): Json {
    const customer = {
      id: `cus_${token()}`,
      object: 'customer',
      name: p.name ?? null,
      email: p.email ?? null,
      metadata: p.metadata ?? {},
      invoice_settings: { default_payment_method: null },
      created: this.unixNow(),
      livemode: false,
    };
    this.customers.set(customer.id, customer);
    return customer;
  }

  private updateCustomer(customer: Json, p: Json): Json {
    const defaultMethod = p.invoice_settings?.default_payment_method as string | undefined;
    if (defaultMethod !== undefined) {
      if (this.methods.get(defaultMethod)?.customer !== customer.id) {
        throw invalid(
          `The customer does not have a payment method with the ID ${defaultMethod}.`,
          'invoice_settings[default_payment_method]',
        );
      }
      customer.invoice_settings.default_payment_method = defaultMethod;
    }
    for (const field of ['name', 'email'] as const) if (p[field] !== undefined) customer[field] = p[field];
    if (p.metadata) Object.assign(customer.metadata, p.metadata);
    return customer;
  }

  private createMethod(p: Json): Json {
    if (p.type !== 'card') throw invalid('Only card PaymentMethods exist in the fake.', 'type');
    const tok = p.card?.token as string | undefined;
    const card = tok?.startsWith('tok_') ? CARDS[tok.slice(4)] : undefined;
    if (!card) throw invalid(`No such token: '${tok ?? ''}'`, 'card[token]', 'resource_missing');
    return this.newMethod(card);
  }

  private attachMethod(id: string, p: Json): Json {
    const customer = this.find(this.customers, p.customer as string, 'customer', 'customer');
    const method = this.find(this.methods, this.resolveMethod(id, null), 'payment_method');
    if (method.customer && method.customer !== customer.id) {
      throw invalid(`The payment method you provided has already been attached to a customer.`, 'payment_method');
    }
    const decline = this.cardOf.get(method.id as string)?.attach;
    if (decline) throw new ApiError(402, { error: { type: 'card_error', ...decline, param: '', payment_method: method } });
    method.customer = customer.id;
    return method;
  }

  private createIntent(p: Json): Json {
    const amount = Number(p.amount);
    if (!Number.isInteger(amount) || amount < 1) throw invalid('Invalid positive integer', 'amount');
    if (!/^[a-z]{3}$/i.test(String(p.currency ?? ''))) throw invalid('Invalid currency', 'currency');
    // Stripe's minimum charge (USD and most two-digit currencies: 50 minor units).
    if (amount < 50) throw invalid('Amount must be at least $0.50 usd', 'amount', 'amount_too_small');
    if (p.customer !== undefined) this.find(this.customers, p.customer as string, 'customer', 'customer');
    if (p.off_session === 'true' && p.confirm !== 'true') throw invalid('off_session can only be used with confirm=true.', 'off_session');
    const intent = this.newIntent({
      amount,
      currency: String(p.currency).toLowerCase(),
      customer: p.customer ?? null,
      description: p.description ?? null,
      metadata: p.metadata ?? {},
      automatic_payment_methods: p.automatic_payment_methods
        ? {
            enabled: p.automatic_payment_methods.enabled === 'true',
            allow_redirects: p.automatic_payment_methods.allow_redirects ?? 'always',
          }
        : null,
    });
    if (p.payment_method) {
      intent.payment_method = this.resolveMethod(p.payment_method as string, intent.customer as string | null);
      intent.status = 'requires_confirmation';
    }
    if (p.confirm !== 'true') return intent;
    if (!intent.payment_method)
      throw invalid('You cannot confirm this PaymentIntent because it is missing a payment method.', 'payment_method');
    return this.confirmOrDecline(intent, intent.payment_method as string);
  }

  private confirmOverApi(intent: Json, p: Json): Json {
    if (!['requires_payment_method', 'requires_confirmation'].includes(intent.status as string)) {
      throw invalid(
        `This PaymentIntent's status is ${intent.status as string} and cannot be confirmed.`,
        undefined,
        'payment_intent_unexpected_state',
      );
    }
    const method = (p.payment_method as string | undefined) ?? (intent.payment_method as string | null);
    if (!method) throw invalid('You cannot confirm this PaymentIntent because it is missing a payment method.', 'payment_method');
    return this.confirmOrDecline(intent, this.resolveMethod(method, intent.customer as string | null));
  }

  /** Charges the intent; a decline answers 402 with the intent in the error, as Stripe does. */
  private confirmOrDecline(intent: Json, methodId: string): Json {
    this.applyCharge(intent, methodId);
    const error = intent.last_payment_error as Json | null;
    if (intent.status !== 'succeeded' && error) {
      throw new ApiError(402, { error: { ...error, payment_intent: clone(intent) } });
    }
    return intent;
  }

  private applyCharge(intent: Json, methodId: string): void {
    const card = this.cardOf.get(methodId);
    const decline = card?.charge;
    intent.payment_method = methodId;
    intent.latest_charge = `ch_${token()}`;
    if (decline) {
      const method = this.methods.get(methodId);
      Object.assign(intent, {
        status: 'requires_payment_method',
        amount_received: 0,
        last_payment_error: { type: 'card_error', ...decline, charge: intent.latest_charge, payment_method: clone(method) },
      });
    } else {
      Object.assign(intent, { status: 'succeeded', amount_received: intent.amount, last_payment_error: null });
    }
  }

  private createSession(p: Json): Json {
    if (p.mode !== 'payment') throw invalid('Only mode=payment is implemented by the fake.', 'mode');
    const lines = Object.values((p.line_items ?? {}) as Json) as Json[];
    if (!lines.length) throw invalid('line_items is required in payment mode.', 'line_items');
    for (const field of ['success_url', 'cancel_url'] as const) {
      if (!/^https?:\/\//.test(String(p[field] ?? ''))) throw invalid(`Not a valid URL`, field, 'url_invalid');
    }
    if (p.customer !== undefined) this.find(this.customers, p.customer as string, 'customer', 'customer');
    const currencies = new Set(lines.map((l) => String(l.price_data?.currency ?? '').toLowerCase()));
    if (currencies.size !== 1) throw invalid('All line items must have the same currency.', 'line_items');
    const id = `cs_test_${token()}`;
    const session = {
      id,
      object: 'checkout.session',
      mode: 'payment',
      status: 'open',
      payment_status: 'unpaid',
      amount_total: lines.reduce((sum, l) => sum + Number(l.price_data?.unit_amount) * Number(l.quantity ?? 1), 0),
      currency: [...currencies][0],
      customer: p.customer ?? null,
      client_reference_id: p.client_reference_id ?? null,
      metadata: p.metadata ?? {},
      payment_intent: null,
      success_url: p.success_url,
      cancel_url: p.cancel_url,
      url: `https://checkout.stripe.com/c/pay/${id}`,
      created: this.unixNow(),
      expires_at: this.unixNow() + 24 * 3600,
      livemode: false,
    };
    this.sessions.set(id, session);
    this.sessionIntentData.set(id, p.payment_intent_data ?? {});
    return session;
  }

  private newIntent(fields: Json): Json {
    const id = `pi_${token()}`;
    const intent = {
      id,
      object: 'payment_intent',
      status: 'requires_payment_method',
      amount_received: 0,
      client_secret: `${id}_secret_${token()}`,
      payment_method: null,
      last_payment_error: null,
      latest_charge: null,
      automatic_payment_methods: null,
      created: this.unixNow(),
      livemode: false,
      ...fields,
    };
    this.intents.set(id, intent);
    return intent;
  }

  private newMethod(card: TestCard): Json {
    const method = {
      id: `pm_${token()}`,
      object: 'payment_method',
      type: 'card',
      card: {
        brand: card.brand,
        last4: card.last4,
        exp_month: 12,
        exp_year: this.now().getUTCFullYear() + 5,
        funding: 'credit',
        country: 'US',
      },
      customer: null,
      created: this.unixNow(),
      livemode: false,
    };
    this.methods.set(method.id, method);
    this.cardOf.set(method.id, card);
    return method;
  }

  /** `pm_card_<name>` makes a fresh PaymentMethod (as Stripe does); a `pm_…` must exist and belong to the customer. */
  private resolveMethod(id: string, customerId: string | null): string {
    const magic = id.startsWith('pm_card_') ? CARDS[id.slice('pm_card_'.length)] : undefined;
    if (magic) return this.newMethod(magic).id as string;
    const method = this.methods.get(id);
    if (!method) throw invalid(`No such PaymentMethod: '${id}'`, 'payment_method', 'resource_missing');
    if (customerId && method.customer && method.customer !== customerId) {
      throw invalid(`The PaymentMethod ${id} does not belong to the Customer ${customerId}.`, 'payment_method');
    }
    return id;
  }

  private find(map: Map<string, Json>, id: string | undefined, kind: string, param = 'id'): Json {
    const found = id ? map.get(id) : undefined;
    if (!found)
      throw new ApiError(
        param === 'id' ? 404 : 400,
        stripeError('invalid_request_error', `No such ${kind}: '${id ?? ''}'`, param, 'resource_missing'),
      );
    return found;
  }

  private unixNow(): number {
    return Math.floor(this.now().getTime() / 1000);
  }
}

/**
 * A Stripe callback for `event`: the exact body and its `Stripe-Signature` header, signed with the SDK's
 * `generateTestHeaderString` (`timestamp` in unix seconds; default now).
 */
export function signedEvent(event: unknown, secret: string, options: { timestamp?: number } = {}): { payload: string; header: string } {
  const payload = JSON.stringify(event);
  return { payload, header: Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: options.timestamp }) };
}

export interface FakeStripeRequest {
  method: string;
  path: string;
  params: Json;
  idempotencyKey?: string;
  stripeVersion?: string;
}

/** Loose JSON for request params and stored objects. */
type Json = Record<string, any>;

interface TestCard {
  brand: string;
  last4: string;
  /** Refused when attached to a customer (Stripe checks the card then). */
  attach?: Decline;
  /** Refused on every charge. */
  charge?: Decline;
}
type Decline = { code: string; decline_code: string; message: string };

const DECLINED: Decline = { code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' };
const NO_FUNDS: Decline = { code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' };
const CARDS: Record<string, TestCard> = {
  visa: { brand: 'visa', last4: '4242' },
  mastercard: { brand: 'mastercard', last4: '4444' },
  chargeDeclined: { brand: 'visa', last4: '0002', attach: DECLINED, charge: DECLINED },
  chargeDeclinedInsufficientFunds: { brand: 'visa', last4: '9995', attach: NO_FUNDS, charge: NO_FUNDS },
  chargeCustomerFail: { brand: 'visa', last4: '0341', charge: DECLINED },
};

const INTENT_EVENT: Record<string, string> = {
  succeeded: 'payment_intent.succeeded',
  requires_payment_method: 'payment_intent.payment_failed',
  canceled: 'payment_intent.canceled',
  processing: 'payment_intent.processing',
  requires_action: 'payment_intent.requires_action',
};

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Json,
  ) {
    super(String(body.error?.message));
  }
}

function stripeError(type: string, message: string, param?: string, code?: string): Json {
  return { error: { type, message, ...(param ? { param } : {}), ...(code ? { code } : {}) } };
}

function invalid(message: string, param?: string, code = 'parameter_invalid'): ApiError {
  return new ApiError(400, stripeError('invalid_request_error', message, param, code));
}

function ok(body: Json): { status: number; body: Json } {
  return { status: 200, body: clone(body) };
}

function send(res: ServerResponse, status: number, body: Json, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${token()}`, ...headers });
  res.end(JSON.stringify(body));
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function token(): string {
  return randomBytes(12).toString('hex');
}

function clone<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}

/** Stripe's form encoding (`a[b][0][c]=v`) into nested objects; indexed levels become arrays. */
export function parseForm(body: string): Json {
  const root: Json = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.match(/[^[\]]+/g) ?? [];
    let node = root;
    path.forEach((segment, i) => {
      if (i === path.length - 1) node[segment] = value;
      else node = (node[segment] ??= {}) as Json;
    });
  }
  return arrays(root) as Json;
}

function arrays(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).map(([k, v]) => [k, arrays(v)] as const);
  const indexed = entries.length > 0 && entries.every(([k]) => /^\d+$/.test(k));
  return indexed ? entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => v) : Object.fromEntries(entries);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Json)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
