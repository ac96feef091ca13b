import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../context/request-context.js';

/** A stored inbound webhook event as a handler receives it. */
export interface ReceivedWebhookEvent {
  id: string;
  organizationId: string;
  providerId: string;
  providerName: string;
  /** The sender's id of the event (the dedupe key). */
  externalId: string;
  type: string;
  /** The body parsed as JSON (null when it is not JSON); `body` has the exact bytes. */
  payload: unknown;
  body: Buffer;
  headers: Record<string, string | string[]>;
  /** 1 for the first attempt. */
  attempt: number;
}

/**
 * What an event type's processing does. `handle` runs in the transaction that marks the event `completed`, so what it
 * writes through `em` happens once per event however often the job runs; a throw rolls it back and the attempt is
 * recorded as failed (the event is retried on the retry schedule, then `dead`).
 */
export interface WebhookHandler {
  handle(event: ReceivedWebhookEvent, em: EntityManager, ctx: RequestContext): Promise<void>;
}

/**
 * Handlers of inbound webhook events by type. The integrations library processes the events; the library that owns
 * what an event changes (billing, mail, …) registers its handler here in `onModuleInit`, so neither imports the
 * other. An event whose type has no handler is marked `ignored`.
 */
@Injectable()
export class WebhookHandlerRegistry {
  private readonly handlers = new Map<string, WebhookHandler>();

  register(type: string, handler: WebhookHandler): void {
    if (this.handlers.has(type)) throw new Error(`A webhook handler for ${type} is already registered`);
    this.handlers.set(type, handler);
  }

  get(type: string | null): WebhookHandler | undefined {
    return type === null ? undefined : this.handlers.get(type);
  }
}

/** A payload a handler cannot use: its attempt fails with this message (the event goes `dead` after its retries). */
export class InvalidWebhookPayload extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid payload: ${problems.join('; ')}`);
    this.name = 'InvalidWebhookPayload';
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The fields of an event: the envelope's `payload` (or `data`) object when the body is an envelope
 * (`{event_id, type, payload: {…}}`), else the body itself (a flat body typed by `X-Event-Type`).
 */
export function webhookFields(event: Pick<ReceivedWebhookEvent, 'payload'>): Json {
  const body = event.payload;
  if (!isObject(body)) throw new InvalidWebhookPayload(['the body is not a JSON object']);
  if (isObject(body.payload)) return body.payload;
  if (isObject(body.data)) return body.data;
  return body;
}

/** Reads typed fields from a payload, gathering every problem; `done()` throws InvalidWebhookPayload naming them all. */
export class PayloadReader {
  private readonly problems: string[] = [];

  constructor(private readonly fields: Json) {}

  /** A non-empty string (numbers are taken as their text), at most `max` characters. */
  string(names: string | string[], opts: { required: true; max?: number }): string;
  string(names: string | string[], opts?: { required?: boolean; max?: number }): string | null;
  string(names: string | string[], opts: { required?: boolean; max?: number } = {}): string | null {
    const list = Array.isArray(names) ? names : [names];
    const key = list.find((n) => this.fields[n] !== undefined && this.fields[n] !== null);
    const value = key === undefined ? undefined : this.fields[key];
    if (value === undefined) {
      if (opts.required) this.problems.push(`${list.join(' or ')} is required`);
      return null;
    }
    const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
    if (typeof text !== 'string' || text.trim() === '') {
      this.problems.push(`${key} must be a non-empty string`);
      return null;
    }
    if (text.length > (opts.max ?? 500)) {
      this.problems.push(`${key} must be at most ${opts.max ?? 500} characters`);
      return null;
    }
    return text.trim();
  }

  /** Records a problem of the caller's own check. */
  problem(message: string): void {
    this.problems.push(message);
  }

  /** Throws InvalidWebhookPayload when any read found a problem. */
  done(): void {
    if (this.problems.length) throw new InvalidWebhookPayload(this.problems);
  }
}
