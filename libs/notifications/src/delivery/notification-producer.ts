import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  Clock,
  type NotificationContent,
  type NotificationType,
  NotificationTypeRegistry,
  Outbox,
  type OutboxEvent,
  RequestContext,
} from '@atrium/platform';
import { NotificationDigests } from '../digests/notification-digests.js';
import { chosenChannels } from '../preferences/channel-choice.js';
import { pairKey, PreferenceStore } from '../preferences/preference-store.js';
import { quietHoursEnd } from '../preferences/quiet-hours.js';
import { NotificationStore, type NewNotification } from './notification-store.js';
import { type Recipient, recipientsOf } from './recipients.js';

/**
 * Outbox subscriber `notifications`: every committed event some registered type is produced by becomes notifications
 * per recipient, written in the subscriber's transaction (so once per event and recipient), on the channels each
 * recipient's preferences choose, mail held until the end of the recipient's quiet hours (never a security type's).
 * Types with a digest are gathered instead, and the events that cancel digests (a chat read) are accepted too, so
 * gathering and cancelling see an organization's events in one order (NotificationDigests).
 */
@Injectable()
export class NotificationProducer implements OnModuleInit {
  private readonly logger = new Logger('Notifications');

  constructor(
    private readonly outbox: Outbox,
    private readonly types: NotificationTypeRegistry,
    private readonly preferences: PreferenceStore,
    private readonly store: NotificationStore,
    private readonly clock: Clock,
    private readonly digests: NotificationDigests,
  ) {}

  onModuleInit(): void {
    // Types register in their features' onModuleInit, in any order: the filter asks the registry at delivery time.
    this.outbox.subscribe({
      name: 'notifications',
      events: '*',
      accepts: (event) => this.types.producedBy(event.name).length > 0 || this.types.cancelledBy(event.name).length > 0,
      handle: (event, em) => this.produce(event, em),
    });
  }

  private async produce(event: OutboxEvent, em: EntityManager): Promise<void> {
    const ctx = RequestContext.system(event.requestId ?? event.id, event.organizationId ?? undefined);
    await this.digests.cancel(em, event);
    for (const type of this.types.producedBy(event.name)) {
      const recipients = await recipientsOf(type, event, em);
      if (!recipients.length) continue;
      if (type.digest) await this.digests.gather(em, type, event, recipients);
      else await this.write(em, ctx, type, event.id, recipients, (r) => type.render(event, r.userId));
    }
  }

  /** Writes `type`'s notifications from one source (an event, a digest) on the channels each recipient's preferences choose. */
  async write(
    em: EntityManager,
    ctx: RequestContext,
    type: NotificationType,
    sourceId: string,
    recipients: Recipient[],
    content: (r: Recipient) => NotificationContent,
  ): Promise<void> {
    const settings = await this.preferences.settingsFor(em, recipients);
    const now = this.clock.now();
    const items: NewNotification[] = [];
    for (const r of recipients) {
      const chosen = settings.get(pairKey(r.organizationId, r.userId));
      const channels = chosenChannels(type, chosen);
      items.push({
        ...r,
        content: content(r),
        inApp: channels.in_app,
        email: channels.email,
        mailNotBefore: channels.email && !type.required ? quietHoursEnd(chosen?.quiet_hours, now) : undefined,
      });
    }
    await this.store.write(em, ctx, { type, id: sourceId }, items);
    this.logger.debug({ source: sourceId, type: type.key, recipients: items.length }, 'Notifications written');
  }
}
