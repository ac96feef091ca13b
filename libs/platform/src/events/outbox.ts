import { Injectable, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import type { DomainEvent } from './event-bus.js';
import { markOutboxAdded } from './outbox-notifier.js';

/** What a feature hands to `Outbox.add`: a domain event, plus the request that caused it. */
export interface OutboxEventInput<T = unknown> extends DomainEvent<T> {
  requestId?: string;
}

/** A committed event as subscribers receive it. */
export interface OutboxEvent<T = unknown> extends OutboxEventInput<T> {
  id: string;
  createdAt: Date;
}

/** A durable subscriber: `handle` runs in a transaction that also records (event id, name), so its effect happens once. */
export interface OutboxSubscriber {
  /** Stable name: it keys the processed-events record, so renaming a subscriber redelivers pending events to it. */
  name: string;
  events: string[] | '*';
  /** Write the effect through `em` to make it exactly-once; a throw rolls it back and the event is retried. */
  handle(event: OutboxEvent, em: EntityManager): Promise<void> | void;
}

/** Namespace of the per-organization advisory lock that serializes event writers (the other key is hashtext(org)). */
const ORDER_LOCK_NAMESPACE = 0x0b0e;

/**
 * The transactional outbox: `add` writes an event in the caller's transaction, `subscribe` registers who
 * the relay delivers events to. Every process must register the same subscribers (they live in the libraries
 * both the api and the worker load), since any process's relay may deliver any event.
 */
@Injectable()
export class Outbox {
  private readonly subscribers = new Map<string, OutboxSubscriber>();
  /**
   * The deployment whose relays deliver the events this process writes: its queue namespace (QUEUE_PREFIX), since
   * effects such as queued mail land in that deployment's queues. Constant in production; apart per test file.
   */
  readonly scope: string;

  constructor(@Optional() config?: AppConfig) {
    this.scope = config?.queue.prefix ?? '';
  }

  /** Register a subscriber; call from `onModuleInit`. */
  subscribe(subscriber: OutboxSubscriber): void {
    if (this.subscribers.has(subscriber.name)) throw new Error(`Outbox subscriber ${subscriber.name} is registered twice`);
    this.subscribers.set(subscriber.name, subscriber);
  }

  /** Every registered subscriber, in registration order. */
  registered(): OutboxSubscriber[] {
    return [...this.subscribers.values()];
  }

  /** The subscribers that receive events named `name`. */
  subscribersFor(name: string): OutboxSubscriber[] {
    return [...this.subscribers.values()].filter((s) => s.events === '*' || s.events.includes(name));
  }

  /**
   * Writes `event` in the transaction `em` belongs to: the event exists if and only if the change did. Relays are
   * woken after the commit (OutboxNotifier), not by a NOTIFY inside this transaction, which would serialize commits. Writers of one organization's events queue on an advisory
   * lock held to their commit, so the delivery order (`seq`) is their commit order. Returns the event id.
   */
  async add(em: EntityManager, event: OutboxEventInput): Promise<string> {
    if (!em.queryRunner?.isTransactionActive) throw new Error('Outbox.add needs an EntityManager inside a transaction');
    const id = randomUUID();
    await em.query(
      `WITH ordered AS (
         SELECT pg_advisory_xact_lock(${ORDER_LOCK_NAMESPACE}, hashtext($3::uuid::text)) WHERE $3::uuid IS NOT NULL
       ), ins AS (
         INSERT INTO outbox_events (id, name, organization_id, actor_id, payload, rooms, request_id, scope)
         SELECT $1, $2, $3::uuid, $4, $5::jsonb, $6::text[], $7, $8 FROM (SELECT 1) one LEFT JOIN ordered ON true
         RETURNING 1
       )
       SELECT 1 FROM ins`,
      [
        id,
        event.name,
        event.organizationId ?? null,
        event.actorId ?? null,
        JSON.stringify(event.payload ?? null),
        event.rooms ?? [],
        event.requestId ?? null,
        this.scope,
      ],
    );
    markOutboxAdded(em.queryRunner);
    return id;
  }
}
