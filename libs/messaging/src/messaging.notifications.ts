import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { defineNotificationType, type NotificationContent, NotificationTypeRegistry, type OutboxEvent } from '@atrium/platform';
import { CallEvent, type CallMissedPayload } from './calls/call-lifecycle.js';
import { ChatEvents, type ChatReadPayload } from './chats/chat-events.js';
import { chatName, displayNames } from './chats/display-names.js';
import type { MentionedPayload } from './messages/message.service.js';
import type { MessageMissedPayload } from './messages/missed-messages.js';

/** How much of a message a mention shows, and of each line a digest shows. */
const MENTION_CHARS = 200;
const LINE_CHARS = 120;
/** The latest lines a digest of missed messages shows. */
const DIGEST_LINES = 5;

/** One line of at most `max` characters (whitespace collapsed, an ellipsis where it was cut). */
export function excerpt(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1).trimEnd()}…` : flat;
}

/** Where every messaging notification takes the user, and the ids it carries: the chat's, and `data`. */
const aboutChat = (chatId: string, data: Record<string, unknown> = {}) => ({
  link: `/chats/${chatId}`,
  data: { chat_id: chatId, ...data },
});
/** A person's display name, or "Someone" when they have none. */
const someone = (name: string | null | undefined) => name || 'Someone';
const inChat = (name: string | null) => (name ? `in ${name}` : 'in a direct message');
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

const chatMentioned = defineNotificationType<MentionedPayload>({
  key: 'chat.mentioned',
  description: 'Someone mentions you in a chat',
  event: ChatEvents.mentioned,
  defaults: { in_app: true, email: true },
  recipients: (e) => e.payload.user_ids.filter((id) => id !== e.payload.sender_id),
  render: ({ payload: p }) => ({
    title: `${someone(p.sender_name)} mentioned you ${inChat(p.chat_name)}`,
    body: excerpt(p.content, MENTION_CHARS),
    ...aboutChat(p.chat_id, { message_id: p.message_id, sender_id: p.sender_id }),
  }),
});

const callMissed = defineNotificationType<CallMissedPayload>({
  key: 'call.missed',
  description: 'A call in one of your chats rang and you did not answer',
  event: CallEvent.missed,
  defaults: { in_app: true, email: true },
  recipients: (e) => e.payload.user_ids,
  render: ({ payload: p }) => {
    const caller = someone(p.started_by_name);
    return {
      title: `Missed call from ${caller}${p.chat_name ? ` in ${p.chat_name}` : ''}`,
      body: `${caller} called ${p.chat_name ? `the chat ${p.chat_name}` : 'you'} and nobody answered. Call back from the chat.`,
      ...aboutChat(p.chat_id, { call_id: p.call_id, started_by: p.started_by }),
    };
  },
});

/**
 * Missed messages are never mailed one by one: per user and chat they gather into a digest (see the notifications
 * library), which a read of the chat up to them cancels. Recipients are the members the event names who are still in
 * the chat and have not read that far yet (the read may have committed before the event did).
 */
const messageMissed = defineNotificationType<MessageMissedPayload>({
  key: 'chat.message_missed',
  description: 'Messages you missed in a chat while you were away, gathered into one digest per chat',
  event: ChatEvents.messageMissed,
  // In the app, the chat list's unread counts already show them.
  defaults: { in_app: false, email: true },
  recipients: async (e, em) => unreadBy(em, e),
  render: ({ payload: p }) => ({ title: 'You missed a message', body: 'Open the chat to read it.', ...aboutChat(p.chat_id) }),
  digest: {
    group: (e) => e.payload.chat_id,
    cancelledBy: {
      event: ChatEvents.read,
      match: (e) => {
        const read = e.payload as ChatReadPayload;
        return { userId: read.user_id, group: read.chat_id };
      },
      covers: (gathered, read) => gathered.payload.seq <= (read.payload as ChatReadPayload).seq,
    },
    render: (events, userId, em) => renderMissed(events, userId, em),
  },
});

async function unreadBy(em: EntityManager, e: OutboxEvent<MessageMissedPayload>): Promise<string[]> {
  if (!e.organizationId) return [];
  const rows: Array<{ user_id: string }> = await em.query(
    `SELECT cm.user_id FROM messages m JOIN chat_members cm ON cm.chat_id = m.chat_id
      WHERE m.id = $1 AND m.organization_id = $2 AND cm.user_id = ANY ($3::uuid[]) AND cm.last_read_seq < m.seq
      ORDER BY cm.user_id`,
    [e.payload.message_id, e.organizationId, e.payload.user_ids],
  );
  return rows.map((r) => r.user_id);
}

/**
 * The digest: how many messages, from whom, and the latest lines still there (deleted ones are not shown), read now
 * from the chat, and only while the user is still a member of it.
 */
async function renderMissed(events: OutboxEvent<MessageMissedPayload>[], userId: string, em: EntityManager): Promise<NotificationContent> {
  const chatId = events[0].payload.chat_id;
  const senderIds = [...new Set(events.map((e) => e.actorId).filter((id): id is string => !!id))];
  const lines: Array<{ sender_id: string | null; content: string }> = await em.query(
    `SELECT m.sender_id, m.content FROM messages m
      WHERE m.id = ANY ($1::uuid[]) AND m.chat_id = $2 AND m.organization_id = $3 AND m.deleted_at IS NULL AND m.content IS NOT NULL
        AND EXISTS (SELECT 1 FROM chat_members cm WHERE cm.chat_id = m.chat_id AND cm.user_id = $4)
      ORDER BY m.seq DESC LIMIT ${DIGEST_LINES}`,
    [events.map((e) => e.payload.message_id), chatId, events[0].organizationId, userId],
  );
  const [names, chat] = [await displayNames(em, senderIds), await chatName(em, chatId)];
  const who = (id: string | null) => someone(id && names.get(id));
  const count = plural(events.length, 'new message');
  const from = someone(senderIds.map(who).join(', '));
  const latest = lines.reverse().map((l) => `${who(l.sender_id)}: ${excerpt(l.content, LINE_CHARS)}`);
  return {
    title: chat ? `${count} in ${chat}` : `${count} from ${from}`,
    body: [`${from} sent you ${count} ${inChat(chat)} while you were away.`, ...(latest.length ? ['', 'Latest:', ...latest] : [])].join(
      '\n',
    ),
    ...aboutChat(chatId, { count: events.length, last_message_id: events[events.length - 1].payload.message_id }),
  };
}

/** Registers messaging's notification types: mentions, missed calls, and the digest of missed messages. */
@Injectable()
export class MessagingNotifications implements OnModuleInit {
  constructor(private readonly types: NotificationTypeRegistry) {}

  onModuleInit(): void {
    this.types.register(chatMentioned, callMissed, messageMissed);
  }
}
