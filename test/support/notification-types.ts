import type { OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type NotificationType, NotificationTypeRegistry, type OutboxEvent } from '@atrium/platform';

/** The instant every `outboxEvent` carries, so texts can be checked: `29 Nov 2026, 08:16 UTC`. */
export const EVENT_TIME = new Date('2026-11-29T08:16:30Z');

/**
 * A feature's notification types as its registrar (e.g. `AccessNotifications`) registers them on a fresh registry, for
 * its unit spec: the registry, a registered type by key (throws for one that is not), and whom an event notifies.
 */
export function registeredTypes(Registrar: new (registry: NotificationTypeRegistry) => OnModuleInit) {
  const registry = new NotificationTypeRegistry();
  void new Registrar(registry).onModuleInit();
  const type = (key: string): NotificationType => {
    const found = registry.get(key);
    if (!found) throw new Error(`notification type ${key} is not registered`);
    return found;
  };
  /** The user ids a type's function answers for `event` (reading through `em`), or its permission rule as it is. */
  const recipients = async (
    key: string,
    event: OutboxEvent,
    em = {} as EntityManager,
  ): Promise<string[] | { permission: string; exceptActor?: boolean }> => {
    const rule = type(key).recipients;
    return typeof rule === 'function' ? rule(event, em) : rule;
  };
  return { registry, type, recipients };
}

/** An event as the relay hands it to a type, at EVENT_TIME; `envelope` sets its organization, actor or other fields. */
export function outboxEvent<P>(name: string, payload: P, envelope: Partial<OutboxEvent<P>> = {}): OutboxEvent<P> {
  return { id: 'e1', name, payload, createdAt: EVENT_TIME, ...envelope };
}
