import type { EntityManager } from 'typeorm';
import type { Outbox, RequestContext } from '@atrium/platform';
import { addChatEvent, ChatEvents } from '../chats/chat-events.js';
import { displayNames } from '../chats/display-names.js';
import type { MessageDto } from './dto/message.dto.js';
import type { SystemFields } from './system-fields.js';

/**
 * Numbers and stores a SYSTEM message like SEND does a TEXT one (the chat row's UPDATE takes the next seq and holds the
 * row lock until COMMIT), also counting it in `system_count` so it never shows as unread. No row when the chat is gone.
 */
const WRITE = `
  WITH c AS (
    UPDATE chats SET last_seq = last_seq + 1, system_count = system_count + 1, last_message_at = now()
     WHERE id = $1 AND organization_id = $2
     RETURNING last_seq
  )
  INSERT INTO messages (organization_id, chat_id, seq, sender_id, message_type, content, system)
  SELECT $2, $1, c.last_seq, $3, 'SYSTEM', $4, $5::jsonb FROM c
  RETURNING id, seq, created_at`;

/**
 * Writes one SYSTEM message into `chatId`'s history in `em`'s transaction (the change it describes commits with it),
 * pushed as `message:new` to the chat's room after commit. `sender_id` is `fields.actor_id`. Null if the chat is gone.
 */
export async function writeSystemMessage(
  outbox: Outbox,
  em: EntityManager,
  ctx: RequestContext,
  chatId: string,
  fields: SystemFields,
): Promise<MessageDto | null> {
  const organizationId = ctx.requireOrganizationId();
  const content = describe(fields, await displayNames(em, [fields.actor_id, ...(fields.user_ids ?? [])]));
  const rows: Array<{ id: string; seq: string; created_at: Date }> = await em.query(WRITE, [
    chatId,
    organizationId,
    fields.actor_id,
    content,
    JSON.stringify(fields),
  ]);
  if (!rows.length) return null;
  const message: MessageDto = {
    id: rows[0].id,
    chat_id: chatId,
    seq: Number(rows[0].seq),
    sender_id: fields.actor_id,
    message_type: 'SYSTEM',
    content,
    client_message_id: null,
    mentions: [],
    system: fields,
    created_at: rows[0].created_at.toISOString(),
    edited_at: null,
    deleted_at: null,
    deleted_by: null,
  };
  addChatEvent(outbox, em, ctx, chatId, ChatEvents.messageNew, message);
  return message;
}

/** The short English text clients may show as is. */
function describe(f: SystemFields, names: Map<string, string>): string {
  const who = (id: string | null | undefined) => (id ? (names.get(id) ?? id) : 'Someone');
  const users = (f.user_ids ?? []).map(who).join(', ');
  switch (f.event) {
    case 'chat_renamed':
      return `${who(f.actor_id)} renamed the chat to “${f.name ?? ''}”`;
    case 'members_added':
      return `${who(f.actor_id)} added ${users}`;
    case 'member_removed':
      return `${who(f.actor_id)} removed ${users}`;
    case 'member_left':
      return `${users} left the chat`;
    case 'admin_assigned':
      return `${users} is now an admin of the chat`;
    case 'member_revoked':
      return `${users} left the organization`;
    case 'call_missed':
      return users ? `Missed call (not answered by ${users})` : 'Missed call';
    case 'call_ended':
      return f.reason === 'completed' || f.reason === 'dropped'
        ? `Call ended (${f.reason}) after ${duration(f.duration_seconds ?? 0)}`
        : `Call ended (${f.reason ?? 'ended'})`;
  }
}

function duration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return m ? `${m} min ${s} s` : `${s} s`;
}
