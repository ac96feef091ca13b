import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RequestContext } from '@atrium/platform';

/** A stored webhook event as a handler receives it. */
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
 * recorded as failed (the job is retried).
 */
export interface WebhookHandler {
  handle(event: ReceivedWebhookEvent, em: EntityManager, ctx: RequestContext): Promise<void>;
}

/** Handlers by event type; features register theirs in `onModuleInit`. An event whose type has none is marked `ignored`. */
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
