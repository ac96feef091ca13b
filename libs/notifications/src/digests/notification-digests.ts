import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type NotificationType, NotificationTypeRegistry, Outbox, type OutboxEvent } from '@atrium/platform';
import type { Recipient } from '../delivery/recipients.js';
import { NotificationsConfig } from '../notifications.config.js';
import { DigestStore, type OpenedDigest } from './digest-store.js';

/** The outbox event naming the digests a gathering opened; DigestScheduler turns it into their delayed jobs. */
export const DIGEST_OPENED = 'notification_digest.opened';

export interface DigestOpenedPayload {
  /** When the digests are due: the first gathered event's time plus NOTIFICATION_DIGEST_MINUTES. */
  due_at: string;
  digests: OpenedDigest[];
}

/**
 * Gathers the events of types with a digest instead of notifying at once, and drops what a cancelling event (a read)
 * covers. Both run in the `notifications` outbox subscriber's transaction, which sees an organization's events in
 * commit order, so a read is applied after every event committed before it and before every event after it.
 */
@Injectable()
export class NotificationDigests {
  constructor(
    private readonly outbox: Outbox,
    private readonly types: NotificationTypeRegistry,
    private readonly config: NotificationsConfig,
  ) {}

  /** Adds the event to each recipient's open digest of this type and group, opening (and scheduling) the missing ones. */
  async gather(em: EntityManager, type: NotificationType, event: OutboxEvent, recipients: Recipient[]): Promise<void> {
    const digest = type.digest;
    if (!digest || !recipients.length) return;
    // Counted from the event, so a late relay does not make the window longer.
    const due = new Date(event.createdAt.getTime() + this.config.digestMinutes * 60_000);
    const opened = await DigestStore.gather(em, type.key, digest.group(event), event, recipients, due);
    if (!opened.length) return;
    this.outbox.add(em, {
      name: DIGEST_OPENED,
      organizationId: event.organizationId,
      payload: { due_at: due.toISOString(), digests: opened } satisfies DigestOpenedPayload,
      requestId: event.requestId ?? event.id,
    });
  }

  /** Drops, from the digest of the user and group the event concerns, what it covers (everything when the type says not). */
  async cancel(em: EntityManager, event: OutboxEvent): Promise<void> {
    if (!event.organizationId) return;
    for (const type of this.types.cancelledBy(event.name)) {
      const by = type.digest!.cancelledBy!;
      const target = by.match(event);
      if (!target) continue;
      const digest = await DigestStore.lockOpen(em, event.organizationId, target.userId, type.key, target.group);
      if (!digest) continue;
      const gathered = await DigestStore.events(em, digest);
      const covered = gathered.filter((g) => by.covers?.(g, event) ?? true);
      await DigestStore.drop(
        em,
        digest,
        covered.map((g) => g.id),
      );
    }
  }
}
