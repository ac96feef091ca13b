import type { EntityManager } from 'typeorm';

/** Display names (first and last name) of the users named, by id; users with neither are absent. One query. */
export async function displayNames(em: EntityManager, ids: Array<string | null>): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => !!id))];
  if (!wanted.length) return new Map();
  const rows: Array<{ id: string; name: string }> = await em.query(
    `SELECT id, trim(concat_ws(' ', first_name, last_name)) AS name FROM users WHERE id = ANY ($1::uuid[])`,
    [wanted],
  );
  return new Map(rows.filter((r) => r.name).map((r) => [r.id, r.name]));
}

/** One user's display name; null when they have none (or there is no user). */
export async function displayName(em: EntityManager, id: string | null): Promise<string | null> {
  return id ? ((await displayNames(em, [id])).get(id) ?? null) : null;
}

/** A chat's name as texts about it show it: a group's name; null for a direct chat (or a chat that is gone). */
export async function chatName(em: EntityManager, chatId: string): Promise<string | null> {
  const [row]: Array<{ name: string | null }> = await em.query(`SELECT name FROM chats WHERE id = $1 AND type = 'group'`, [chatId]);
  return row?.name ?? null;
}
