import { describe, expect, it } from 'vitest';
import { outboxEvent, registeredTypes } from '../../../test/support/notification-types.js';
import { excerpt, MessagingNotifications } from './messaging.notifications.js';

const CHAT = '2f1c5f3e-1d2b-4c3a-9e8f-0a1b2c3d4e5f';
const SAM = '9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const RITA = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

const { registry, type, recipients } = registeredTypes(MessagingNotifications);
const event = <P>(name: string, payload: P) => outboxEvent(name, payload, { organizationId: CHAT });

describe('excerpt', () => {
  it('keeps a short text on one line as it is', () => {
    expect(excerpt('  can you\n\tcheck   this? ', 50)).toBe('can you check this?');
  });

  it('cuts a long text to the limit, ending in an ellipsis', () => {
    const cut = excerpt('word '.repeat(100), 20);
    expect(cut).toHaveLength(20);
    expect(cut.endsWith('…')).toBe(true);
  });
});

describe("messaging's notification types", () => {
  it('registers mentions and missed calls on both channels, missed messages by email only and as a digest', () => {
    expect(registry.all().map((t) => [t.key, t.defaults, !!t.digest])).toEqual([
      ['call.missed', { in_app: true, email: true }, false],
      ['chat.mentioned', { in_app: true, email: true }, false],
      ['chat.message_missed', { in_app: false, email: true }, true],
    ]);
  });

  it('names who mentioned you and where, never notifying the author of their own mention', async () => {
    const mentioned = type('chat.mentioned');
    const payload = {
      chat_id: CHAT,
      message_id: CHAT,
      user_ids: [RITA, SAM],
      sender_id: SAM,
      sender_name: 'Sam Sender',
      chat_name: null,
      content: 'look\n\nhere',
    };
    const e = event('chat.mentioned', payload);
    // No database needed: the recipients are the event's.
    expect(await recipients('chat.mentioned', e)).toEqual([RITA]);
    expect(mentioned.render(e, RITA)).toMatchObject({
      title: 'Sam Sender mentioned you in a direct message',
      body: 'look here',
      link: `/chats/${CHAT}`,
      data: { chat_id: CHAT, message_id: CHAT, sender_id: SAM },
    });
    expect(mentioned.render(event('chat.mentioned', { ...payload, chat_name: 'Ops' }), RITA).title).toBe('Sam Sender mentioned you in Ops');
    expect(mentioned.render(event('chat.mentioned', { ...payload, sender_name: null }), RITA).title).toBe(
      'Someone mentioned you in a direct message',
    );
  });

  it('tells whom a call rang for that it was missed, naming the caller and the group, linking to the chat', async () => {
    const missed = type('call.missed');
    const payload = {
      call_id: 'call-1',
      chat_id: CHAT,
      started_by: SAM,
      started_by_name: 'Sam Sender',
      chat_name: 'Ops',
      user_ids: [RITA],
    };
    const e = event('call.missed', payload);
    expect(await recipients('call.missed', e)).toEqual([RITA]);
    expect(missed.render(e, RITA)).toEqual({
      title: 'Missed call from Sam Sender in Ops',
      body: 'Sam Sender called the chat Ops and nobody answered. Call back from the chat.',
      link: `/chats/${CHAT}`,
      data: { chat_id: CHAT, call_id: 'call-1', started_by: SAM },
    });
    expect(missed.render(event('call.missed', { ...payload, started_by_name: null, chat_name: null }), RITA)).toMatchObject({
      title: 'Missed call from Someone',
      body: 'Someone called you and nobody answered. Call back from the chat.',
    });
  });

  it('drops from a missed-messages digest only the messages the read marker reached', () => {
    const by = type('chat.message_missed').digest!.cancelledBy!;
    const read = event('chat:read', { chat_id: CHAT, user_id: RITA, seq: 5 });
    expect(by.match(read)).toEqual({ userId: RITA, group: CHAT });
    const missed = (seq: number) => event('chat.message_missed', { chat_id: CHAT, message_id: CHAT, seq, user_ids: [RITA] });
    expect([4, 5, 6].map((seq) => by.covers!(missed(seq), read))).toEqual([true, true, false]);
  });
});
