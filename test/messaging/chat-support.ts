import { createMember, registerOrg, type Member } from '../support/members.js';
import { outboxEvents } from '../support/outbox.js';
import type { TestApp } from '../support/test-app.js';

/** An organization's owner plus members with the built-in member role, each signed in. */
export async function team(t: TestApp, members = 2) {
  const owner = await registerOrg(t.http);
  const people: Member[] = [];
  for (let i = 0; i < members; i++) people.push(await createMember(t, owner, 'member'));
  return { owner, people };
}

export async function createGroup(t: TestApp, token: string, memberIds: string[], name = 'Team'): Promise<string> {
  const res = await t.http.post('/chats', { type: 'group', name, member_ids: memberIds }, { token });
  if (res.status !== 201) throw new Error(`create group: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data.id as string;
}

export async function send(t: TestApp, token: string, chatId: string, content: string, extra: Record<string, unknown> = {}) {
  const res = await t.http.post(`/chats/${chatId}/messages`, { content, message_type: 'TEXT', ...extra }, { token });
  if (res.status !== 201) throw new Error(`send: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data as { id: string; seq: number; content: string; chat_id: string };
}

/** Payloads of committed outbox events named `name` that mention `chatId` (under `key`: `id` for `chat:updated`). */
export async function outboxPayloads<T = Record<string, unknown>>(
  t: TestApp,
  name: string,
  chatId: string,
  key: 'chat_id' | 'id' = 'chat_id',
): Promise<T[]> {
  return (await outboxEvents<T>(t, name, key, chatId)).map((e) => e.payload);
}

export async function auditActions(t: TestApp, chatId: string): Promise<string[]> {
  const rows: Array<{ action: string }> = await t.db.query(
    `SELECT action FROM audit_logs WHERE resource_type = 'chat' AND resource_id = $1 ORDER BY created_at, action`,
    [chatId],
  );
  return rows.map((r) => r.action);
}
