import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { OutboxEvent } from '../events/outbox.js';

/** Delivery channels a user can turn on or off per notification type. */
export const NOTIFICATION_CHANNELS = ['in_app', 'email'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

/** What a notification says: stored for the in-app list and rendered into its mail. */
export interface NotificationContent {
  /** One line: the in-app title and the mail's subject. */
  title: string;
  /** Plain text: the in-app body and the text part of the mail. */
  body: string;
  /** The mail's HTML body content (the notifications library wraps it and adds the unsubscribe footer); `body` escaped when absent. */
  html?: string;
  /** Where the SPA takes the user, a path of the client app (e.g. `/chats/<id>`). */
  link?: string;
  /** Structured fields for the client (ids it may open), stored with the notification. */
  data?: Record<string, unknown>;
}

/** Who an event notifies: user ids, or every active member holding a permission in the event's organization. */
export type NotificationRecipients<P> =
  { permission: string; exceptActor?: boolean } | ((event: OutboxEvent<P>, em: EntityManager) => string[] | Promise<string[]>);

/**
 * Gathering instead of one notification per event: per recipient and group (e.g. a chat), the events of
 * `NOTIFICATION_DIGEST_MINUTES` become one notification, and a later event can drop what was gathered.
 */
export interface NotificationDigest<P> {
  /** The group an event's notifications gather in (per recipient), e.g. its chat id. */
  group(event: OutboxEvent<P>): string;
  /**
   * Events that drop, for one user and group, everything gathered before them (e.g. the chat read by that user).
   * `match` answers the user and group an event concerns, or null when it concerns none.
   */
  cancelledBy?: {
    event: string;
    match(event: OutboxEvent): { userId: string; group: string } | null;
    /**
     * Whether the cancelling event covers one gathered event (e.g. the read marker at or past the message), so a
     * gathered event it does not cover still goes out; every event gathered before it when absent.
     */
    covers?(gathered: OutboxEvent<P>, cancelling: OutboxEvent): boolean;
  };
  /** The one notification for everything gathered (oldest first), read through `em` (e.g. the lines of the messages). */
  render(events: OutboxEvent<P>[], userId: string, em: EntityManager): NotificationContent | Promise<NotificationContent>;
}

/**
 * A kind of notification a feature produces from one of its committed events. Features register their types here
 * (one file per feature), and the notifications library turns every matching event into notifications per recipient.
 */
export interface NotificationType<P = unknown> {
  /** The type's key, as users name it in preferences: `<area>.<what>`, e.g. `chat.mentioned`. */
  key: string;
  /** What it tells the user, for the API's documentation and the preferences screen. */
  description: string;
  /** The outbox event that produces it. */
  event: string;
  /** Channels on for a user who never chose (an organization may set other defaults for new members). */
  defaults: Record<NotificationChannel, boolean>;
  /** Security alerts: users cannot turn this type off (an attempt answers 400 `notification_required`). */
  required?: boolean;
  /**
   * The event concerns an account, not one organization (a password change): it is stored in every organization the
   * user is an active member of and mailed once. Otherwise it is stored in the event's organization.
   */
  accountWide?: boolean;
  recipients: NotificationRecipients<P>;
  /** The notification for one event (its digest renders gathered events instead, when it has one). */
  render(event: OutboxEvent<P>, userId: string): NotificationContent;
  digest?: NotificationDigest<P>;
}

/**
 * A type checked against its event's payload where it is written, then kept beside types of other payloads: the
 * registry hands each type only the events it names.
 */
export const defineNotificationType = <P>(type: NotificationType<P>): NotificationType => type as unknown as NotificationType;

/** Recipients of an event about one user (a new sign-in, a role change): the user its payload's `user_id` names. */
export const payloadUser = (event: OutboxEvent<{ user_id: string }>): string[] => [event.payload.user_id];

/** The longest type key: preferences and one-click unsubscribe links carry it. */
export const NOTIFICATION_TYPE_KEY_MAX_LENGTH = 64;

/** Where features register the notification types their events produce, so the notifications library names none. */
@Injectable()
export class NotificationTypeRegistry {
  private readonly types = new Map<string, NotificationType>();
  /** Asked for every outbox event (the notifications subscriber's filter): indexed by event name at registration. */
  private readonly byEvent = new Map<string, NotificationType[]>();
  private readonly byCancellingEvent = new Map<string, NotificationType[]>();

  /** Call from `onModuleInit`; a key may be registered once. */
  register(...types: NotificationType[]): void {
    for (const type of types) {
      if (this.types.has(type.key)) throw new Error(`Notification type "${type.key}" is already registered`);
      if (!/^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/.test(type.key)) throw new Error(`Notification type "${type.key}" is not <area>.<what>`);
      // Keys travel in preferences and in signed unsubscribe links, whose length is capped.
      if (type.key.length > NOTIFICATION_TYPE_KEY_MAX_LENGTH) {
        throw new Error(`Notification type "${type.key}" is longer than ${NOTIFICATION_TYPE_KEY_MAX_LENGTH} characters`);
      }
      this.types.set(type.key, type);
      index(this.byEvent, type.event, type);
      const cancelling = type.digest?.cancelledBy?.event;
      if (cancelling) index(this.byCancellingEvent, cancelling, type);
    }
  }

  get(key: string): NotificationType | undefined {
    return this.types.get(key);
  }

  /** Every registered type, sorted by key. */
  all(): NotificationType[] {
    return [...this.types.values()].sort(byKey);
  }

  /** The types an event produces, sorted by key. */
  producedBy(eventName: string): readonly NotificationType[] {
    return this.byEvent.get(eventName) ?? NONE;
  }

  /** The types with a digest an event cancels (`digest.cancelledBy`), sorted by key. */
  cancelledBy(eventName: string): readonly NotificationType[] {
    return this.byCancellingEvent.get(eventName) ?? NONE;
  }
}

const NONE: readonly NotificationType[] = [];
const byKey = (a: NotificationType, b: NotificationType) => a.key.localeCompare(b.key);
const index = (map: Map<string, NotificationType[]>, eventName: string, type: NotificationType) =>
  map.set(eventName, [...(map.get(eventName) ?? []), type].sort(byKey));
