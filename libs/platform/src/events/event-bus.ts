import { Injectable, Logger } from '@nestjs/common';
import { safeError } from '../logging/safe-error.js';

/** Something that happened, published after its transaction committed. */
export interface DomainEvent<T = unknown> {
  name: string;
  organizationId?: string;
  actorId?: string;
  payload: T;
  /** Rooms the realtime gateway pushes this event to, e.g. `user:{id}`, `org:{id}`. */
  rooms?: string[];
}

type Handler = (event: DomainEvent) => unknown;

/** In-process publish/subscribe for domain events; cross-instance fan-out happens in the socket adapter and queues. */
@Injectable()
export class EventBus {
  private readonly logger = new Logger('EventBus');
  private readonly handlers = new Map<string, Handler[]>();

  /** Subscribe to one event name, or `*` for all. */
  on(name: string, handler: Handler): void {
    this.handlers.set(name, [...(this.handlers.get(name) ?? []), handler]);
  }

  /** Delivers to every subscriber; a failing subscriber is logged and never fails the publisher. */
  async publish(event: DomainEvent): Promise<void> {
    const targets = [...(this.handlers.get(event.name) ?? []), ...(this.handlers.get('*') ?? [])];
    await Promise.all(
      targets.map(async (h) => {
        try {
          await h(event);
        } catch (err) {
          this.logger.error({ err: safeError(err), event: event.name }, 'Event handler failed');
        }
      }),
    );
  }
}
