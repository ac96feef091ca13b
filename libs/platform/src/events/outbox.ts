import { Injectable, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import type { DomainEvent } from './event-bus.js';
import { OutboxCommitHook } from './outbox-commit-hook.js';

/** What a feature hands to `Outbox.add`: a domain event, plus the request that caused it. */
export interface OutboxEventInput<T = unknown> extends DomainEvent<T> {
  requestId?: string;
}

/** A committed event as subscribers receive it. */
export interface OutboxEvent<T = unknown> extends OutboxEventInput<T> {
  id: string;
  createdAt: Date;
}

/** What a subscriber may filter on without the payload: the event's envelope. */
export type OutboxEnvelope = Pick<OutboxEvent, 'name' | 'rooms' | 'organizationId'>;

/** A durable subscriber: `handle` runs in a transaction that also records (event id, name), so its effect happens once. */
export interface OutboxSubscriber {
  /** Stable name: it keys the processed-events record, so renaming a subscriber redelivers pending events to it. */
  name: string;
  events: string[] | '*';
  /**
   * Narrows `events` by the envelope (e.g. only events that name rooms). An event it refuses is not delivered to it,
   * costs it no processed-events row and holds none of its later events back.
   */
  accepts?(event: OutboxEnvelope): boolean;
  /** Write the effect through `em` to make it exactly-once; a throw rolls it back and the event is retried. */
  handle(event: OutboxEvent, em: EntityManager): Promise<void> | void;
  /**
   * Optional: the effect of several events at once (e.g. one bulk queue insert instead of one per event), used when the
   * relay delivers a batch in one transaction; it must do what `handle` would do for each, in order. A throw rolls the
   * batch back and the relay retries its events one at a time through `handle`.
   */
  handleBatch?(events: OutboxEvent[], em: EntityManager): Promise<void>;
}

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

  /** The subscribers that receive an event with this envelope. */
  subscribersFor(event: OutboxEnvelope): OutboxSubscriber[] {
    return [...this.subscribers.values()].filter((s) => wants(s, event));
  }

  /**
   * Adds `event` to the transaction `em` belongs to: the event exists if and only if the change commits. The row is
   * written as the transaction's last statement before COMMIT (see OutboxCommitHook: that fixes its delivery order
   * after everything the transaction read); relays are woken after the commit. Returns the event id.
   */
  add(em: EntityManager, event: OutboxEventInput): string {
    if (!em.queryRunner?.isTransactionActive) throw new Error('Outbox.add needs an EntityManager inside a transaction');
    const id = randomUUID();
    OutboxCommitHook.on(em.connection).stage(em.queryRunner, {
      id,
      name: event.name,
      organizationId: event.organizationId ?? null,
      actorId: event.actorId ?? null,
      payload: JSON.stringify(event.payload ?? null),
      rooms: JSON.stringify(event.rooms ?? []),
      requestId: event.requestId ?? null,
      scope: this.scope,
    });
    return id;
  }
}

/** Whether `sub` receives an event with this envelope. */
export const wants = (sub: OutboxSubscriber, event: OutboxEnvelope): boolean =>
  (sub.events === '*' || sub.events.includes(event.name)) && (sub.accepts?.(event) ?? true);
