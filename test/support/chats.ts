import { directKey } from '@atrium/messaging';
import { dataSource } from './members.js';
import type { TestApp } from './test-app.js';

/**
 * Puts a chat straight in the database (creating chats over REST is the chats feature's): a direct chat for two
 * members, a group for more; the first member is the group's admin. Returns the chat id.
 */
export async function insertChat(t: TestApp, organizationId: string, memberIds: string[], name?: string): Promise<string> {
  const direct = memberIds.length === 2 && !name;
  const [{ id }] = await dataSource(t).query<Array<{ id: string }>>(
    `INSERT INTO chats (organization_id, type, name, direct_key, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [
      organizationId,
      direct ? 'direct' : 'group',
      direct ? null : (name ?? 'Group'),
      direct ? directKey(memberIds[0], memberIds[1]) : null,
      memberIds[0],
    ],
  );
  await dataSource(t).query(
    `INSERT INTO chat_members (chat_id, user_id, organization_id, role)
     SELECT $1, u, $2, CASE WHEN ord = 1 AND $4 THEN 'admin' ELSE 'member' END FROM unnest($3::uuid[]) WITH ORDINALITY AS m(u, ord)`,
    [id, organizationId, memberIds, !direct],
  );
  return id;
}
