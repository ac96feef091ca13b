import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMember, registerOrg } from '../support/members.js';
import { outboxDelivered } from '../support/socket.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { auditActions, createGroup, outboxPayloads, send, team } from './chat-support.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('chats', () => {
  it('gives a pair one direct chat: again on a second create, and once under 10 concurrent creates', async () => {
    const { owner, people } = await team(t, 2);
    const [ann, bob] = people;
    const first = await t.http.post('/chats', { type: 'direct', member_ids: [ann.userId] }, { token: owner.accessToken });
    expect(first.status).toBe(201);
    expect(first.body.data).toMatchObject({ type: 'direct', name: null, my_role: 'member', unread_count: 0, last_message: null });
    expect(first.body.data.members.map((m: { user_id: string }) => m.user_id).sort()).toEqual([owner.userId, ann.userId].sort());
    const again = await t.http.post('/chats', { type: 'direct', member_ids: [owner.userId] }, { token: ann.accessToken });
    expect(again.status).toBe(200);
    expect(again.body.data.id).toBe(first.body.data.id);

    const race = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        t.http.post(
          '/chats',
          { type: 'direct', member_ids: [i % 2 ? ann.userId : bob.userId] },
          { token: i % 2 ? bob.accessToken : ann.accessToken },
        ),
      ),
    );
    expect(race.map((r) => r.status).filter((s) => s === 201)).toHaveLength(1);
    expect(new Set(race.map((r) => r.body.data.id)).size).toBe(1);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM chats WHERE organization_id = $1 AND type = 'direct'`, [
      owner.organizationId,
    ]);
    expect(n).toBe(2);
  });

  it('refuses ids that are not active members of the organization, naming each, and creates nothing', async () => {
    const { owner, people } = await team(t, 1);
    const outsider = await registerOrg(t.http);
    const ghost = randomUUID();
    const res = await t.http.post(
      '/chats',
      { type: 'group', name: 'Mixed', member_ids: [people[0].userId, outsider.userId, ghost] },
      { token: owner.accessToken },
    );
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('not_organization_members');
    expect(res.body.details.user_ids.sort()).toEqual([outsider.userId, ghost].sort());
    expect(res.body.message).toContain(ghost);
    const direct = await t.http.post(
      '/chats',
      { type: 'direct', member_ids: [people[0].userId, owner.userId] },
      { token: owner.accessToken },
    );
    expect(direct.body.code).toBe('direct_chat_needs_one_member');
    const bad = await t.http.post('/chats', { type: 'group', member_ids: ['not-a-uuid'] }, { token: owner.accessToken });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.details)).toContain('member_ids');
    const list = await t.http.get('/chats', { token: owner.accessToken });
    expect(list.body.total).toBe(0);
  });

  it('lists my chats most recently active first, with the last message, my unread count and the members', async () => {
    const { owner, people } = await team(t, 2);
    const [ann, bob] = people;
    const quiet = await createGroup(t, owner.accessToken, [ann.userId], 'Quiet');
    const busy = await createGroup(t, owner.accessToken, [ann.userId, bob.userId], 'Busy');
    await send(t, owner.accessToken, busy, 'one');
    await send(t, bob.accessToken, busy, 'two');
    await send(t, owner.accessToken, quiet, 'hello quiet');
    await send(t, bob.accessToken, busy, 'three');

    const mine = await t.http.get('/chats?page=1&limit=20', { token: ann.accessToken });
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ total: 2, page: 1, limit: 20, totalPages: 1 });
    expect(mine.body.data.map((c: { name: string }) => c.name)).toEqual(['Busy', 'Quiet']);
    const [b, q] = mine.body.data;
    expect(b).toMatchObject({
      last_seq: 3,
      unread_count: 3,
      my_role: 'member',
      last_message: { seq: 3, content: 'three', sender_id: bob.userId },
    });
    expect(b.members.map((m: { user_id: string; role: string }) => [m.user_id, m.role])).toEqual([
      [owner.userId, 'admin'],
      [ann.userId, 'member'],
      [bob.userId, 'member'],
    ]);
    expect(q).toMatchObject({ unread_count: 1, last_message: { content: 'hello quiet' } });
    // The sender has read their own messages.
    const bobs = await t.http.get('/chats', { token: bob.accessToken });
    expect(bobs.body.data).toHaveLength(1);
    expect(bobs.body.data[0]).toMatchObject({ id: busy, unread_count: 0 });
    const page2 = await t.http.get('/chats?page=2&limit=1', { token: ann.accessToken });
    expect(page2.body).toMatchObject({ total: 2, totalPages: 2 });
    expect(page2.body.data[0].name).toBe('Quiet');
    // Past the last page: no chats, and still the total.
    const past = await t.http.get('/chats?page=3&limit=1', { token: ann.accessToken });
    expect(past.body).toMatchObject({ data: [], total: 2, page: 3, totalPages: 2 });
    // One chat reads exactly as its list row, timestamps as ISO-8601 UTC with milliseconds.
    const one = await t.http.get(`/chats/${busy}`, { token: ann.accessToken });
    expect(one.body.data).toEqual(b);
    const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
    for (const at of [b.created_at, b.updated_at, b.last_message_at, b.last_message.created_at, b.members[0].joined_at]) {
      expect(at).toMatch(iso);
    }
  });

  it("lets a group's admins rename it (audited), not its members, and never a direct chat", async () => {
    const { owner, people } = await team(t, 1);
    const chat = await createGroup(t, owner.accessToken, [people[0].userId], 'Old');
    const byMember = await t.http.put(`/chats/${chat}`, { name: 'Mine' }, { token: people[0].accessToken });
    expect(byMember.status).toBe(403);
    expect(byMember.body.code).toBe('chat_admin_required');
    const renamed = await t.http.put(`/chats/${chat}`, { name: 'New', description: 'About' }, { token: owner.accessToken });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data).toMatchObject({ name: 'New', description: 'About' });
    expect(await auditActions(t, chat)).toEqual(['chat.created', 'chat.updated']);
    // The refused rename by a member pushed nothing; the admin's pushes the new fields once.
    expect(await outboxPayloads(t, 'chat:updated', chat, 'id')).toEqual([
      { id: chat, name: 'New', description: 'About', updated_by: owner.userId, updated_at: renamed.body.data.updated_at },
    ]);
    const direct = await t.http.post('/chats', { type: 'direct', member_ids: [people[0].userId] }, { token: owner.accessToken });
    const refused = await t.http.put(`/chats/${direct.body.data.id}`, { name: 'X' }, { token: owner.accessToken });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('direct_chat_not_editable');
  });

  it('adds and removes group members (admins only), hands admin on when the last admin leaves, deletes the chat when the last member leaves', async () => {
    const { owner, people } = await team(t, 3);
    const [ann, bob, cid] = people;
    const chat = await createGroup(t, owner.accessToken, [ann.userId]);
    const byMember = await t.http.post(`/chats/${chat}/members`, { member_ids: [bob.userId] }, { token: ann.accessToken });
    expect(byMember.body.code).toBe('chat_admin_required');
    const added = await t.http.post(`/chats/${chat}/members`, { member_ids: [bob.userId, cid.userId] }, { token: owner.accessToken });
    expect(added.status).toBe(200);
    expect(added.body.data.members).toHaveLength(4);
    const twice = await t.http.post(`/chats/${chat}/members`, { member_ids: [bob.userId] }, { token: owner.accessToken });
    expect(twice.status).toBe(409);
    expect(twice.body.details.user_ids).toEqual([bob.userId]);
    const removed = await t.http.delete(`/chats/${chat}/members/${cid.userId}`, undefined, { token: owner.accessToken });
    expect(removed.status).toBe(204);
    expect((await t.http.get(`/chats/${chat}`, { token: cid.accessToken })).status).toBe(404);
    const notIn = await t.http.delete(`/chats/${chat}/members/${cid.userId}`, undefined, { token: owner.accessToken });
    expect([notIn.status, notIn.body]).toEqual([404, expect.objectContaining({ code: 'chat_member_not_found' })]);

    expect((await t.http.post(`/chats/${chat}/leave`, {}, { token: owner.accessToken })).status).toBe(204);
    const after = await t.http.get(`/chats/${chat}`, { token: ann.accessToken });
    expect(after.body.data.members.map((m: { user_id: string; role: string }) => [m.user_id, m.role])).toEqual([
      [ann.userId, 'admin'],
      [bob.userId, 'member'],
    ]);
    await t.http.post(`/chats/${chat}/leave`, {}, { token: ann.accessToken });
    await t.http.post(`/chats/${chat}/leave`, {}, { token: bob.accessToken });
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM chats WHERE id = $1`, [chat]);
    expect(n).toBe(0);
    expect(await auditActions(t, chat)).toEqual(
      expect.arrayContaining(['chat.created', 'chat.member_added', 'chat.member_removed', 'chat.member_left', 'chat.deleted']),
    );

    const direct = await t.http.post('/chats', { type: 'direct', member_ids: [ann.userId] }, { token: owner.accessToken });
    const id = direct.body.data.id;
    expect((await t.http.post(`/chats/${id}/members`, { member_ids: [bob.userId] }, { token: owner.accessToken })).body.code).toBe(
      'direct_chat_members_fixed',
    );
    expect((await t.http.post(`/chats/${id}/leave`, {}, { token: owner.accessToken })).body.code).toBe('direct_chat_members_fixed');
  });

  it("hides another organization's chats (404 on every route), and answers 404 for ids that are not uuids", async () => {
    const { owner, people } = await team(t, 1);
    const chat = await createGroup(t, owner.accessToken, [people[0].userId]);
    const msg = await send(t, owner.accessToken, chat, 'secret');
    const other = await registerOrg(t.http);
    const token = other.accessToken;
    const answers = await Promise.all([
      t.http.get(`/chats/${chat}`, { token }),
      t.http.put(`/chats/${chat}`, { name: 'x' }, { token }),
      t.http.delete(`/chats/${chat}`, undefined, { token }),
      t.http.post(`/chats/${chat}/members`, { member_ids: [other.userId] }, { token }),
      t.http.post(`/chats/${chat}/leave`, {}, { token }),
      t.http.get(`/chats/${chat}/messages`, { token }),
      t.http.post(`/chats/${chat}/messages`, { content: 'hi', message_type: 'TEXT' }, { token }),
      t.http.put(`/chats/${chat}/messages/${msg.id}`, { content: 'x' }, { token }),
      t.http.delete(`/chats/${chat}/messages/${msg.id}`, undefined, { token }),
      t.http.post(`/chats/${chat}/read`, { seq: 1 }, { token }),
      t.http.get('/chats/not-a-uuid', { token: owner.accessToken }),
      t.http.post('/chats/not-a-uuid/messages', { content: 'hi', message_type: 'TEXT' }, { token: owner.accessToken }),
      t.http.delete(`/chats/${chat}/messages/nope`, undefined, { token: owner.accessToken }),
    ]);
    expect(answers.map((a) => a.status)).toEqual(Array(answers.length).fill(404));
    expect(answers[0].body.code).toBe('chat_not_found');
    const still = await t.http.get(`/chats/${chat}/messages`, { token: owner.accessToken });
    expect(still.body.data.map((m: { content: string }) => m.content)).toEqual(['secret']);
  });

  it('lets a moderator (chats.manage) delete any chat of the organization, a member only their own group as admin', async () => {
    const { owner, people } = await team(t, 2);
    const [ann, bob] = people;
    const theirs = await createGroup(t, ann.accessToken, [bob.userId]);
    expect((await t.http.delete(`/chats/${theirs}`, undefined, { token: bob.accessToken })).body.code).toBe('chat_delete_forbidden');
    expect((await t.http.delete(`/chats/${theirs}`, undefined, { token: owner.accessToken })).status).toBe(204);
    expect((await t.http.get(`/chats/${theirs}`, { token: ann.accessToken })).status).toBe(404);
  });

  it("audits a moderator deleting another member's message (author and seq, never the content), not an author deleting their own", async () => {
    const { owner, people } = await team(t, 2);
    const [ann, bob] = people;
    const chat = await createGroup(t, ann.accessToken, [bob.userId]);
    const own = await send(t, bob.accessToken, chat, 'oops, wrong chat');
    const moderated = await send(t, bob.accessToken, chat, 'something to moderate');
    expect((await t.http.delete(`/chats/${chat}/messages/${own.id}`, undefined, { token: bob.accessToken })).status).toBe(204);
    expect((await t.http.delete(`/chats/${chat}/messages/${moderated.id}`, undefined, { token: owner.accessToken })).status).toBe(204);
    const rows: Array<{ action: string; resource_id: string; actor_user_id: string; entry: unknown }> = await t.db.query(
      `SELECT action, resource_id, actor_user_id, to_jsonb(a) AS entry FROM audit_logs a WHERE resource_type = 'message' AND resource_id = ANY($1)`,
      [[own.id, moderated.id]],
    );
    expect(rows.map((r) => [r.action, r.resource_id, r.actor_user_id])).toEqual([['message.deleted', moderated.id, owner.userId]]);
    expect(JSON.stringify(rows[0].entry)).toContain(bob.userId);
    expect(JSON.stringify(rows[0].entry)).not.toContain('something to moderate');
  });

  it('takes a revoked member out of every chat: coming back, they find none of them', async () => {
    const { owner, people } = await team(t, 2);
    const [ann, bob] = people;
    const chat = await createGroup(t, ann.accessToken, [bob.userId]);
    expect((await t.http.post(`/users/${ann.userId}/revoke`, { reason: 'left' }, { token: owner.accessToken })).status).toBe(200);
    await outboxDelivered(t);
    const seen = await t.http.get(`/chats/${chat}`, { token: bob.accessToken });
    expect(seen.body.data.members.map((m: { user_id: string; role: string }) => [m.user_id, m.role])).toEqual([[bob.userId, 'admin']]);
    const removed = await outboxPayloads(t, 'chat:member_removed', chat);
    expect(removed).toEqual([expect.objectContaining({ user_id: ann.userId, reason: 'revoked', new_admin_id: bob.userId })]);
    // The chat's history says so, written by nobody (the system acted), and Bob has nothing unread.
    const history = (await t.http.get(`/chats/${chat}/messages`, { token: bob.accessToken })).body.data;
    expect(history.map((m: { seq: number; sender_id: string | null; system: unknown }) => [m.seq, m.sender_id, m.system])).toEqual([
      [2, null, { event: 'admin_assigned', actor_id: null, user_ids: [bob.userId] }],
      [1, null, { event: 'member_revoked', actor_id: null, user_ids: [ann.userId] }],
    ]);
    expect(seen.body.data.unread_count).toBe(0);
    // Back in the organization, Ann is in none of her old chats.
    await t.db.query(`UPDATE memberships SET status = 'active', revoked_at = NULL WHERE user_id = $1 AND organization_id = $2`, [
      ann.userId,
      owner.organizationId,
    ]);
    const { accessToken } = await (await import('../support/members.js')).signIn(t, ann.email, ann.password, owner.organizationId);
    expect((await t.http.get(`/chats/${chat}`, { token: accessToken })).status).toBe(404);
    expect((await t.http.get('/chats', { token: accessToken })).body.total).toBe(0);
  });
});

describe('SYSTEM messages', () => {
  interface Msg {
    id: string;
    seq: number;
    sender_id: string | null;
    message_type: string;
    content: string | null;
    system: Record<string, unknown> | null;
  }
  const messages = async (token: string, chat: string, query = ''): Promise<Msg[]> =>
    (await t.http.get(`/chats/${chat}/messages?limit=100${query}`, { token })).body.data;
  const unread = async (token: string, chat: string): Promise<number> =>
    (await t.http.get(`/chats/${chat}`, { token })).body.data.unread_count;

  it('a rename, an add, a removal and a leave each leave one SYSTEM message in the chat seq, pushed as message:new, never unread', async () => {
    const { owner, people } = await team(t, 3);
    const [ann, bob, cid] = people;
    const chat = await createGroup(t, owner.accessToken, [ann.userId], 'Old');
    await send(t, owner.accessToken, chat, 'hello team');
    expect(await unread(ann.accessToken, chat)).toBe(1);

    expect((await t.http.put(`/chats/${chat}`, { name: 'Launch' }, { token: owner.accessToken })).status).toBe(200);
    // A description alone, or the same name again, is no rename.
    await t.http.put(`/chats/${chat}`, { name: 'Launch', description: 'Go' }, { token: owner.accessToken });
    await t.http.post(`/chats/${chat}/members`, { member_ids: [bob.userId, cid.userId] }, { token: owner.accessToken });
    await t.http.delete(`/chats/${chat}/members/${cid.userId}`, undefined, { token: owner.accessToken });
    await t.http.post(`/chats/${chat}/leave`, {}, { token: owner.accessToken });

    const history = (await messages(ann.accessToken, chat)).reverse();
    expect(history.map((m) => [m.seq, m.message_type, m.sender_id, m.system])).toEqual([
      [1, 'TEXT', owner.userId, null],
      [2, 'SYSTEM', owner.userId, { event: 'chat_renamed', actor_id: owner.userId, name: 'Launch' }],
      [3, 'SYSTEM', owner.userId, { event: 'members_added', actor_id: owner.userId, user_ids: [bob.userId, cid.userId] }],
      [4, 'SYSTEM', owner.userId, { event: 'member_removed', actor_id: owner.userId, user_ids: [cid.userId] }],
      [5, 'SYSTEM', owner.userId, { event: 'member_left', actor_id: owner.userId, user_ids: [owner.userId] }],
      [6, 'SYSTEM', owner.userId, { event: 'admin_assigned', actor_id: owner.userId, user_ids: [ann.userId] }],
    ]);
    expect(history[1].content).toMatch(/renamed the chat to “Launch”$/);
    expect(history[3].content).toMatch(/ removed Mia Member$/);
    expect(history[4].content).toMatch(/ left the chat$/);
    // Pushed to the chat's room like any message, in seq order.
    const pushed = await outboxPayloads<Msg>(t, 'message:new', chat);
    expect(pushed.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(pushed.slice(1)).toEqual(history.slice(1));

    // Unread counts only TEXT: Ann still has the one greeting, Bob (added after it) too; the list agrees.
    expect(await unread(ann.accessToken, chat)).toBe(1);
    expect(await unread(bob.accessToken, chat)).toBe(1);
    const listed = (await t.http.get('/chats', { token: ann.accessToken })).body.data.find((c: { id: string }) => c.id === chat);
    expect(listed).toMatchObject({
      last_seq: 6,
      unread_count: 1,
      last_message: { seq: 6, message_type: 'SYSTEM', system: history[5].system },
    });
    // Reading up to the greeting leaves nothing unread; reading to the end also; a new TEXT counts again.
    expect((await t.http.post(`/chats/${chat}/read`, { seq: 1 }, { token: ann.accessToken })).body.data).toMatchObject({
      seq: 1,
      unread_count: 0,
    });
    expect((await t.http.post(`/chats/${chat}/read`, { seq: 6 }, { token: bob.accessToken })).body.data).toMatchObject({
      seq: 6,
      unread_count: 0,
    });
    await send(t, ann.accessToken, chat, 'still here');
    expect(await unread(bob.accessToken, chat)).toBe(1);
    expect(await unread(ann.accessToken, chat)).toBe(0);
    expect((await t.http.post(`/chats/${chat}/read`, { seq: 7 }, { token: bob.accessToken })).body.data.unread_count).toBe(0);
  });

  it('cannot be sent by a client (400), edited (409) or found by search; only admins delete one; it notifies nobody as missed', async () => {
    const { owner, people } = await team(t, 1);
    const [ann] = people;
    const chat = await createGroup(t, owner.accessToken, [ann.userId], 'Old');
    const greeting = await send(t, ann.accessToken, chat, 'Launch soon');
    await t.http.put(`/chats/${chat}`, { name: 'Launch' }, { token: owner.accessToken });
    const [renamed] = await messages(owner.accessToken, chat);
    expect(renamed).toMatchObject({ seq: 2, message_type: 'SYSTEM' });

    const forged = await t.http.post(
      `/chats/${chat}/messages`,
      { content: 'x renamed', message_type: 'SYSTEM' },
      { token: owner.accessToken },
    );
    expect(forged.status).toBe(400);
    expect(JSON.stringify(forged.body.details)).toContain('message_type');
    const edited = await t.http.put(`/chats/${chat}/messages/${renamed.id}`, { content: 'changed' }, { token: owner.accessToken });
    expect([edited.status, edited.body.code]).toEqual([409, 'system_message_not_editable']);
    // Search finds what people wrote, not the rename that shares its word.
    expect((await messages(ann.accessToken, chat, '&search=Launch')).map((m) => m.id)).toEqual([greeting.id]);
    // Its actor is no author: a member cannot delete it, the admin can.
    const byMember = await t.http.delete(`/chats/${chat}/messages/${renamed.id}`, undefined, { token: ann.accessToken });
    expect(byMember.body.code).toBe('message_delete_forbidden');
    expect((await t.http.delete(`/chats/${chat}/messages/${renamed.id}`, undefined, { token: owner.accessToken })).status).toBe(204);
    expect((await messages(ann.accessToken, chat))[0]).toMatchObject({ id: renamed.id, seq: 2, content: null, system: null });
    expect(await unread(ann.accessToken, chat)).toBe(0);

    // Nobody is connected: the TEXT message is missed by the owner, the SYSTEM one by nobody.
    await outboxDelivered(t);
    const missed = await outboxPayloads<{ message_id: string }>(t, 'chat.message_missed', chat);
    expect(missed.map((m) => m.message_id)).toEqual([greeting.id]);
  });
});

describe('messages', () => {
  it('refuses empty, blank, oversized, SYSTEM and unknown-type messages, naming the field, and stores nothing', async () => {
    const { owner, people } = await team(t, 1);
    const chat = await createGroup(t, owner.accessToken, [people[0].userId]);
    const bodies = [
      { content: '', message_type: 'TEXT' },
      { content: '   \n ', message_type: 'TEXT' },
      { content: 'x'.repeat(10_001), message_type: 'TEXT' },
      { content: 'hi', message_type: 'SYSTEM' },
      { content: 'hi', message_type: 'IMAGE' },
      { message_type: 'TEXT' },
    ];
    for (const body of bodies) {
      const res = await t.http.post(`/chats/${chat}/messages`, body, { token: owner.accessToken });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body.details)).toMatch(body.message_type === 'TEXT' ? /content/ : /message_type/);
    }
    const ok = await send(t, owner.accessToken, chat, 'x'.repeat(10_000));
    expect(ok.seq).toBe(1);
  });

  it('returns the first message for a repeated client_message_id from the same sender, without a new seq', async () => {
    const { owner, people } = await team(t, 1);
    const chat = await createGroup(t, owner.accessToken, [people[0].userId]);
    const first = await send(t, owner.accessToken, chat, 'hello', { client_message_id: 'c-1' });
    const retries = await Promise.all([1, 2, 3].map(() => send(t, owner.accessToken, chat, 'hello', { client_message_id: 'c-1' })));
    expect(retries.map((r) => r.id)).toEqual([first.id, first.id, first.id]);
    const theirs = await send(t, people[0].accessToken, chat, 'hello', { client_message_id: 'c-1' });
    expect(theirs.seq).toBe(2);
    expect((await send(t, owner.accessToken, chat, 'next')).seq).toBe(3);
  });

  it('pages newest first, scrolls back with before, catches up with after, and searches full text', async () => {
    const { owner, people } = await team(t, 1);
    const chat = await createGroup(t, owner.accessToken, [people[0].userId]);
    const words = ['alpha beta', 'gamma', 'Zażółć gęślą jaźń', 'beta delta', '100% sure_thing'];
    for (const w of words) await send(t, owner.accessToken, chat, w);
    const token = people[0].accessToken;
    const newest = await t.http.get(`/chats/${chat}/messages?limit=2`, { token });
    expect(newest.body).toMatchObject({ total: 5, totalPages: 3 });
    expect(newest.body.data.map((m: { seq: number }) => m.seq)).toEqual([5, 4]);
    const older = await t.http.get(`/chats/${chat}/messages?before=4&limit=10`, { token });
    expect(older.body.data.map((m: { seq: number }) => m.seq)).toEqual([3, 2, 1]);
    const missed = await t.http.get(`/chats/${chat}/messages?after=2`, { token });
    expect(missed.body.data.map((m: { seq: number }) => m.seq)).toEqual([3, 4, 5]);
    const search = async (q: string) =>
      (await t.http.get(`/chats/${chat}/messages?search=${encodeURIComponent(q)}`, { token })).body.data.map((m: { seq: number }) => m.seq);
    expect(await search('beta')).toEqual([4, 1]);
    expect(await search('gęślą')).toEqual([3]);
    expect(await search('100%')).toEqual([5]);
    expect(await search('%')).toEqual([]);
    expect(await search('bet*')).toEqual([]);
    const bad = await t.http.get(`/chats/${chat}/messages?after=-1&before=x`, { token });
    expect(bad.status).toBe(400);
  });

  it('lets the author edit within the window (403 for others and after it), and deletes to a tombstone', async () => {
    const { owner, people } = await team(t, 2);
    const [ann, bob] = people;
    const chat = await createGroup(t, owner.accessToken, [ann.userId, bob.userId]);
    const msg = await send(t, ann.accessToken, chat, 'tpyo');
    const edited = await t.http.put(`/chats/${chat}/messages/${msg.id}`, { content: 'typo' }, { token: ann.accessToken });
    expect(edited.status).toBe(200);
    expect(edited.body.data).toMatchObject({ content: 'typo', seq: msg.seq, edited_at: expect.any(String) });
    const byOther = await t.http.put(`/chats/${chat}/messages/${msg.id}`, { content: 'mine' }, { token: bob.accessToken });
    expect(byOther.status).toBe(403);
    expect(byOther.body.code).toBe('message_author_required');
    await t.db.query(`UPDATE messages SET created_at = now() - interval '901 seconds' WHERE id = $1`, [msg.id]);
    const late = await t.http.put(`/chats/${chat}/messages/${msg.id}`, { content: 'late' }, { token: ann.accessToken });
    expect(late.body.code).toBe('message_edit_window_closed');

    expect((await t.http.delete(`/chats/${chat}/messages/${msg.id}`, undefined, { token: bob.accessToken })).body.code).toBe(
      'message_delete_forbidden',
    );
    // The group's admin may delete anyone's message.
    expect((await t.http.delete(`/chats/${chat}/messages/${msg.id}`, undefined, { token: owner.accessToken })).status).toBe(204);
    const [tomb] = (await t.http.get(`/chats/${chat}/messages`, { token: bob.accessToken })).body.data;
    expect(tomb).toMatchObject({ id: msg.id, seq: msg.seq, content: null, deleted_by: owner.userId, deleted_at: expect.any(String) });
    expect((await t.http.put(`/chats/${chat}/messages/${msg.id}`, { content: 'x' }, { token: ann.accessToken })).body.code).toBe(
      'message_deleted',
    );
  });

  it('moves the read marker forward only, refuses a seq beyond the last, and publishes chat:read when it moves', async () => {
    const { owner, people } = await team(t, 1);
    const [ann] = people;
    const chat = await createGroup(t, owner.accessToken, [ann.userId]);
    for (const c of ['a', 'b', 'c']) await send(t, owner.accessToken, chat, c);
    const read = await t.http.post(`/chats/${chat}/read`, { seq: 2 }, { token: ann.accessToken });
    expect(read.body.data).toEqual({ chat_id: chat, user_id: ann.userId, seq: 2, unread_count: 1 });
    const back = await t.http.post(`/chats/${chat}/read`, { seq: 1 }, { token: ann.accessToken });
    expect(back.body.data).toMatchObject({ seq: 2, unread_count: 1 });
    const beyond = await t.http.post(`/chats/${chat}/read`, { seq: 4 }, { token: ann.accessToken });
    expect(beyond.status).toBe(400);
    expect(beyond.body.code).toBe('read_seq_out_of_range');
    expect((await t.http.get(`/chats/${chat}`, { token: ann.accessToken })).body.data.unread_count).toBe(1);
    expect(await outboxPayloads(t, 'chat:read', chat)).toEqual([{ chat_id: chat, user_id: ann.userId, seq: 2 }]);
  });

  it('numbers 40 concurrent sends from 4 members 1..40 with no gap, and a reader never sees a gap', async () => {
    const { owner, people } = await team(t, 3);
    const chat = await createGroup(
      t,
      owner.accessToken,
      people.map((p) => p.userId),
    );
    const senders = [owner.accessToken, ...people.map((p) => p.accessToken)];
    let sending = true;
    const gaps: number[][] = [];
    const reader = (async () => {
      while (sending) {
        const page = await t.http.get(`/chats/${chat}/messages?after=0&limit=100`, { token: people[0].accessToken });
        const seqs: number[] = page.body.data.map((m: { seq: number }) => m.seq);
        if (seqs.some((s, i) => s !== i + 1)) gaps.push(seqs);
      }
    })();
    const sent = await Promise.all(Array.from({ length: 40 }, (_, i) => send(t, senders[i % 4], chat, `m${i}`)));
    sending = false;
    await reader;
    expect(sent.map((m) => m.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(gaps).toEqual([]);
  });

  it('validates mentions as chat members (400 naming the others) and publishes chat.mentioned', async () => {
    const { owner, people } = await team(t, 2);
    const [ann, bob] = people;
    const chat = await createGroup(t, owner.accessToken, [ann.userId]);
    const refused = await t.http.post(
      `/chats/${chat}/messages`,
      { content: `hey @${bob.userId} and @${ann.userId}`, message_type: 'TEXT' },
      { token: owner.accessToken },
    );
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'mentions_not_in_chat', details: { user_ids: [bob.userId] } });
    const msg = await send(t, owner.accessToken, chat, `hey @${ann.userId}`);
    expect(msg).toMatchObject({ mentions: [ann.userId] });
    expect(await outboxPayloads(t, 'chat.mentioned', chat)).toEqual([
      {
        chat_id: chat,
        message_id: msg.id,
        user_ids: [ann.userId],
        sender_id: owner.userId,
        sender_name: 'Olive Owner',
        chat_name: 'Team',
        content: `hey @${ann.userId}`,
      },
    ]);
  });

  it('exports my chats and the messages I wrote in the GDPR download', async () => {
    const { owner, people } = await team(t, 1);
    const chat = await createGroup(t, owner.accessToken, [people[0].userId], 'Exported');
    await send(t, people[0].accessToken, chat, 'mine to keep');
    await send(t, owner.accessToken, chat, 'not theirs');
    const res = await t.http.get('/users/me/download-data', { token: people[0].accessToken });
    expect(res.status).toBe(200);
    const doc = typeof res.body === 'string' ? JSON.parse(res.body) : res.body;
    const section = doc.chats as Array<Record<string, unknown>>;
    expect(section).toEqual([
      expect.objectContaining({ kind: 'chat', id: chat, name: 'Exported', role: 'member', organization_id: owner.organizationId }),
      expect.objectContaining({ kind: 'message', chat_id: chat, content: 'mine to keep', seq: 1 }),
    ]);
  });

  it('needs chats.use: a role without it is refused', async () => {
    const owner = await registerOrg(t.http);
    const role = await t.http.post('/roles', { name: 'Viewer', permissions: ['organization.view'] }, { token: owner.accessToken });
    const viewer = await createMember(t, owner, role.body.data.slug);
    const res = await t.http.get('/chats', { token: viewer.accessToken });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('missing_permission');
  });
});
