import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMember, dataSource, registerOrg } from '../support/members.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Reading the audit trail: filters, pages, cursor, stats, actors, isolation, permissions and bad input. */

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const as = (who: { accessToken: string }) => ({ token: who.accessToken });

interface Seed {
  action: string;
  at: string;
  actorUserId?: string | null;
  actorEmail?: string | null;
  apiKeyId?: string | null;
  apiKeyName?: string | null;
  resourceType?: string;
  resourceId?: string | null;
  target?: string | null;
  before?: object | null;
  after?: object | null;
}

/** Writes entries straight into the organization's trail (in 2025, before anything the app writes during the run). */
async function seed(organizationId: string, rows: Seed[]): Promise<string[]> {
  const ids: string[] = [];
  for (const r of rows) {
    const [{ id }] = await dataSource(t).query(
      `INSERT INTO audit_logs (organization_id, actor_user_id, actor_email, actor_api_key_id, actor_api_key_name, action, resource_type,
                               resource_id, target, before, after, metadata, ip, user_agent, request_id, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, '{"via":"seed"}', '203.0.113.7', 'spec-agent', 'req-1', $12) RETURNING id`,
      [
        organizationId,
        r.actorUserId ?? null,
        r.actorEmail ?? null,
        r.apiKeyId ?? null,
        r.apiKeyName ?? null,
        r.action,
        r.resourceType ?? 'probe',
        r.resourceId ?? null,
        r.target ?? null,
        r.before ? JSON.stringify(r.before) : null,
        r.after ? JSON.stringify(r.after) : null,
        r.at,
      ],
    );
    ids.push(id);
  }
  return ids;
}

/** The ids a list answers, in its order. */
async function ids(who: { accessToken: string }, query: string): Promise<string[]> {
  const res = await t.http.get(`/audit-logs?${query}`, as(who));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data.map((e: { id: string }) => e.id);
}

const IN_2025 = 'from=2025-01-01T00:00:00Z&to=2025-12-31T23:59:59Z';

describe('an entry', () => {
  it('answers every contract’s field names, with the changes between before and after', async () => {
    const owner = await registerOrg(t.http);
    const [id] = await seed(owner.organizationId, [
      {
        action: 'user.updated',
        at: '2025-03-01T10:00:00.123Z',
        actorUserId: owner.userId,
        actorEmail: owner.email,
        resourceType: 'user',
        resourceId: 'u-1',
        target: 'ann@example.com',
        before: { email: 'ann@old.example', first_name: 'Ann', phone: '1' },
        after: { email: 'ann@example.com', first_name: 'Ann', last_name: 'Example' },
      },
    ]);
    const res = await t.http.get(`/audit-logs/${id}`, as(owner));
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      id,
      action: 'user.updated',
      resource_type: 'user',
      resource_id: 'u-1',
      target: 'ann@example.com',
      actor: { type: 'user', user_id: owner.userId, email: owner.email, api_key_id: null, api_key_name: null },
      performed_by: owner.email,
      user: { id: owner.userId, email: owner.email, username: owner.email },
      before: { email: 'ann@old.example', first_name: 'Ann', phone: '1' },
      after: { email: 'ann@example.com', first_name: 'Ann', last_name: 'Example' },
      changes: {
        email: { from: 'ann@old.example', to: 'ann@example.com' },
        phone: { from: '1', to: null },
        last_name: { from: null, to: 'Example' },
      },
      metadata: { via: 'seed' },
      ip_address: '203.0.113.7',
      user_agent: 'spec-agent',
      request_id: 'req-1',
      timestamp: '2025-03-01T10:00:00.123Z',
      created_at: '2025-03-01T10:00:00.123Z',
    });
    // The list answers the same entry.
    const list = await t.http.get(`/audit-logs?${IN_2025}`, as(owner));
    expect(list.body.data).toEqual([res.body.data]);
  });

  it('names an API key as the actor, and a system entry has no user', async () => {
    const owner = await registerOrg(t.http);
    const keyId = randomUUID();
    const [byKey, bySystem] = await seed(owner.organizationId, [
      {
        action: 'role.created',
        at: '2025-02-01T00:00:00Z',
        actorUserId: owner.userId,
        actorEmail: owner.email,
        apiKeyId: keyId,
        apiKeyName: 'CI deploy',
      },
      { action: 'retention.ran', at: '2025-02-02T00:00:00Z' },
    ]);
    const key = (await t.http.get(`/audit-logs/${byKey}`, as(owner))).body.data;
    expect(key).toMatchObject({
      actor: { type: 'api_key', user_id: owner.userId, email: owner.email, api_key_id: keyId, api_key_name: 'CI deploy' },
      performed_by: 'CI deploy',
      changes: {},
    });
    const system = (await t.http.get(`/audit-logs/${bySystem}`, as(owner))).body.data;
    expect(system).toMatchObject({ actor: { type: 'system', user_id: null }, performed_by: null, user: null });
  });

  it('another organization’s entry, an unknown id and a non-uuid answer 404', async () => {
    const [mine, theirs] = await Promise.all([registerOrg(t.http), registerOrg(t.http)]);
    const [theirId] = await seed(theirs.organizationId, [{ action: 'secret.thing', at: '2025-01-05T00:00:00Z' }]);
    for (const id of [theirId, randomUUID(), 'not-a-uuid']) {
      const res = await t.http.get(`/audit-logs/${id}`, as(mine));
      expect([res.status, res.body.code]).toEqual([404, 'audit_log_not_found']);
    }
    expect((await t.http.get(`/audit-logs/${theirId}`, as(theirs))).status).toBe(200);
    // Nor does it appear in any list, stats or actors of the other organization.
    expect(await ids(mine, IN_2025)).toEqual([]);
    expect(await ids(mine, 'action=secret.thing')).toEqual([]);
  });

  it('records what the app does: the owner creating a member is listed under the owner and the new user', async () => {
    const owner = await registerOrg(t.http);
    const ann = await createMember(t, owner, 'member');
    const res = await t.http.get(`/audit-logs?action=user.created&user_id=${owner.userId}`, as(owner));
    expect(res.body.data).toHaveLength(1);
    expect(res.body.data[0]).toMatchObject({
      action: 'user.created',
      resource_type: 'user',
      resource_id: ann.userId,
      actor: { user_id: owner.userId },
    });
    const history = await t.http.get(`/audit-logs?resource=user&id=${ann.userId}`, as(owner));
    expect(history.body.data.map((e: { id: string }) => e.id)).toContain(res.body.data[0].id);
  });
});

describe('filters', () => {
  it('each filter, their aliases and combinations select exactly the matching entries', async () => {
    const owner = await registerOrg(t.http);
    const other = randomUUID();
    const doc = randomUUID();
    const [e1, e2, e3, e4, e5] = await seed(owner.organizationId, [
      { action: 'user.created', at: '2025-01-10T00:00:00Z', actorUserId: owner.userId, resourceType: 'user', resourceId: 'a' },
      { action: 'user.updated', at: '2025-02-10T00:00:00Z', actorUserId: other, resourceType: 'user', resourceId: 'a' },
      { action: 'document.uploaded', at: '2025-03-10T00:00:00Z', actorUserId: owner.userId, resourceType: 'document', resourceId: doc },
      { action: 'document.deleted', at: '2025-04-10T00:00:00Z', actorUserId: other, resourceType: 'document', resourceId: doc },
      { action: 'user.created', at: '2025-05-10T00:00:00Z', actorUserId: other, resourceType: 'user', resourceId: 'b' },
    ]);
    // Newest first.
    expect(await ids(owner, IN_2025)).toEqual([e5, e4, e3, e2, e1]);
    expect(await ids(owner, `${IN_2025}&action=user.created`)).toEqual([e5, e1]);
    expect(await ids(owner, `${IN_2025}&user_id=${other}`)).toEqual([e5, e4, e2]);
    expect(await ids(owner, `${IN_2025}&user=${other}`)).toEqual([e5, e4, e2]);
    expect(await ids(owner, `${IN_2025}&resource_type=document`)).toEqual([e4, e3]);
    expect(await ids(owner, `${IN_2025}&resource=document`)).toEqual([e4, e3]);
    expect(await ids(owner, `${IN_2025}&resource_type=user&resource_id=a`)).toEqual([e2, e1]);
    expect(await ids(owner, `${IN_2025}&resource=user&id=a`)).toEqual([e2, e1]);
    expect(await ids(owner, `resource_id=${doc}`)).toEqual([e4, e3]);
    // from and to are inclusive instants.
    expect(await ids(owner, 'from=2025-02-10T00:00:00Z&to=2025-04-10T00:00:00Z')).toEqual([e4, e3, e2]);
    expect(await ids(owner, 'from=2025-04-10&to=2025-12-31')).toEqual([e5, e4]);
    expect(await ids(owner, `${IN_2025}&user_id=${other}&resource_type=user&action=user.created`)).toEqual([e5]);
    expect(await ids(owner, `${IN_2025}&user_id=${other}&user=${other}`)).toEqual([e5, e4, e2]);
    expect(await ids(owner, `${IN_2025}&action=nothing.like.this`)).toEqual([]);
  });

  it('names every bad filter in one 400', async () => {
    const owner = await registerOrg(t.http);
    const bad = await t.http.get(
      `/audit-logs?user_id=nope&from=yesterday&to=2025-13-45&limit=0&page=-1&resource=${'x'.repeat(201)}&cursor=abc&colour=red`,
      as(owner),
    );
    expect([bad.status, bad.body.code]).toEqual([400, 'validation_failed']);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(
      ['colour', 'cursor', 'from', 'limit', 'page', 'resource', 'to', 'user_id'].sort(),
    );
    const order = await t.http.get(`/audit-logs?from=2025-05-01&to=2025-04-01&user_id=${randomUUID()}&user=${randomUUID()}`, as(owner));
    expect(order.status).toBe(400);
    expect(order.body.details).toHaveLength(2);
    expect(order.body.details).toEqual(
      expect.arrayContaining([
        { field: 'to', problems: ['to must not be before from'] },
        { field: 'user', problems: ['names something else than user_id; give one of them'] },
      ]),
    );
    const stats = await t.http.get('/audit-logs/stats?from=2025-05-01&to=2025-04-01', as(owner));
    expect([stats.status, stats.body.details]).toEqual([400, [{ field: 'to', problems: ['to must not be before from'] }]]);
  });
});

describe('pages', () => {
  it('numbered pages and cursor pages walk the same entries in the same order, ties broken by insertion', async () => {
    const owner = await registerOrg(t.http);
    // Seven entries, three of them written at the same instant (one transaction).
    const seeded = await seed(owner.organizationId, [
      { action: 'p.one', at: '2025-06-01T00:00:00Z' },
      { action: 'p.two', at: '2025-06-02T00:00:00Z' },
      { action: 'p.three', at: '2025-06-03T00:00:00Z' },
      { action: 'p.four', at: '2025-06-03T00:00:00Z' },
      { action: 'p.five', at: '2025-06-03T00:00:00Z' },
      { action: 'p.six', at: '2025-06-04T00:00:00Z' },
      { action: 'p.seven', at: '2025-06-05T00:00:00Z' },
    ]);
    const newestFirst = [...seeded].reverse();
    const first = await t.http.get(`/audit-logs?${IN_2025}&limit=3`, as(owner));
    expect(first.body).toMatchObject({ total: 7, page: 1, limit: 3, totalPages: 3, total_exact: true });
    const third = await t.http.get(`/audit-logs?${IN_2025}&limit=3&page=3`, as(owner));
    expect(third.body.data.map((e: { id: string }) => e.id)).toEqual(newestFirst.slice(6));
    expect(third.body.next_cursor).toBeNull();
    const second = await ids(owner, `${IN_2025}&limit=3&page=2`);
    expect([...first.body.data.map((e: { id: string }) => e.id), ...second]).toEqual(newestFirst.slice(0, 6));

    const walked: string[] = [];
    let cursor: string | null = first.body.next_cursor;
    walked.push(...first.body.data.map((e: { id: string }) => e.id));
    while (cursor) {
      const res = await t.http.get(`/audit-logs?${IN_2025}&limit=3&cursor=${cursor}`, as(owner));
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['data', 'limit', 'next_cursor']);
      walked.push(...res.body.data.map((e: { id: string }) => e.id));
      cursor = res.body.next_cursor;
    }
    expect(walked).toEqual(newestFirst);
    // A page past the end is empty, with the total.
    expect((await t.http.get(`/audit-logs?${IN_2025}&limit=3&page=9`, as(owner))).body).toMatchObject({ data: [], total: 7 });
  });

  it('counts up to 10,000, refuses numbered pages beyond them, and the cursor reads deeper', async () => {
    const owner = await registerOrg(t.http);
    await dataSource(t).query(
      `INSERT INTO audit_logs (organization_id, action, resource_type, resource_id, created_at)
       SELECT $1, 'bulk.row', 'probe', g::text, timestamptz '2025-07-01' + g * interval '1 second' FROM generate_series(1, 10050) g`,
      [owner.organizationId],
    );
    const first = await t.http.get('/audit-logs?action=bulk.row&limit=100', as(owner));
    expect(first.body).toMatchObject({ total: 10_000, total_exact: false, totalPages: 100 });
    expect(first.body.data[0].resource_id).toBe('10050');
    const last = await t.http.get('/audit-logs?action=bulk.row&limit=100&page=100', as(owner));
    expect(last.body.data.at(-1).resource_id).toBe('51');
    const beyond = await t.http.get('/audit-logs?action=bulk.row&limit=100&page=101', as(owner));
    expect([beyond.status, beyond.body.code]).toEqual([400, 'audit_page_too_deep']);
    const deeper = await t.http.get(`/audit-logs?action=bulk.row&limit=100&cursor=${last.body.next_cursor}`, as(owner));
    expect(deeper.body.data.map((e: { resource_id: string }) => e.resource_id)).toEqual(
      Array.from({ length: 50 }, (_, i) => String(50 - i)),
    );
    expect(deeper.body.next_cursor).toBeNull();
    // Filtered down to a few, the count is exact again.
    expect(
      (await t.http.get('/audit-logs?action=bulk.row&from=2025-07-01T00:00:01Z&to=2025-07-01T00:00:10Z', as(owner))).body,
    ).toMatchObject({ total: 10, total_exact: true });
  });
});

describe('stats and actors', () => {
  it('counts exactly the entries in the range by action, actor and day', async () => {
    const owner = await registerOrg(t.http);
    const other = randomUUID();
    const keyId = randomUUID();
    await seed(owner.organizationId, [
      { action: 'a.one', at: '2025-08-01T01:00:00Z', actorUserId: owner.userId, actorEmail: owner.email },
      { action: 'a.one', at: '2025-08-01T23:00:00Z', actorUserId: other, actorEmail: 'other@example.test' },
      { action: 'a.two', at: '2025-08-03T12:00:00Z', actorUserId: owner.userId, actorEmail: owner.email },
      {
        action: 'a.one',
        at: '2025-08-03T13:00:00Z',
        actorUserId: owner.userId,
        actorEmail: owner.email,
        apiKeyId: keyId,
        apiKeyName: 'CI',
      },
      { action: 'a.three', at: '2025-08-03T14:00:00Z' },
      { action: 'a.one', at: '2025-09-01T00:00:00Z', actorUserId: owner.userId, actorEmail: owner.email },
    ]);
    const res = await t.http.get('/audit-logs/stats?from=2025-08-01T00:00:00Z&to=2025-08-31T23:59:59Z', as(owner));
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      from: '2025-08-01T00:00:00.000Z',
      to: '2025-08-31T23:59:59.000Z',
      total: 5,
      by_action: [
        { action: 'a.one', count: 3 },
        { action: expect.stringMatching(/^a\.(two|three)$/), count: 1 },
        { action: expect.stringMatching(/^a\.(two|three)$/), count: 1 },
      ],
      by_actor: expect.arrayContaining([
        { type: 'user', user_id: owner.userId, email: owner.email, api_key_id: null, api_key_name: null, count: 2 },
        { type: 'user', user_id: other, email: 'other@example.test', api_key_id: null, api_key_name: null, count: 1 },
        { type: 'api_key', user_id: owner.userId, email: owner.email, api_key_id: keyId, api_key_name: 'CI', count: 1 },
        { type: 'system', user_id: null, email: null, api_key_id: null, api_key_name: null, count: 1 },
      ]),
      by_day: [
        { day: '2025-08-01', count: 2 },
        { day: '2025-08-03', count: 3 },
      ],
    });
    expect(res.body.data.by_actor).toHaveLength(4);
    // Without a range: the last 30 days, which hold only what registering wrote.
    const recent = await t.http.get('/audit-logs/stats', as(owner));
    expect(recent.body.data.by_action.map((a: { action: string }) => a.action)).not.toContain('a.one');
  });

  it('lists the accounts that acted in this organization, with who they are now', async () => {
    const owner = await registerOrg(t.http);
    const ann = await createMember(t, owner, 'admin');
    const gone = randomUUID();
    const stranger = await registerOrg(t.http);
    await seed(owner.organizationId, [
      { action: 'x.y', at: '2025-01-01T00:00:00Z', actorUserId: ann.userId, actorEmail: 'ann-old@example.test' },
      { action: 'x.y', at: '2025-01-02T00:00:00Z', actorUserId: gone, actorEmail: 'gone-old@example.test' },
      { action: 'x.y', at: '2025-01-03T00:00:00Z', actorUserId: gone, actorEmail: 'gone@example.test' },
    ]);
    await seed(stranger.organizationId, [{ action: 'x.y', at: '2025-01-01T00:00:00Z', actorUserId: stranger.userId }]);
    const res = await t.http.get('/audit-logs/viewable-users', as(owner));
    expect(res.status).toBe(200);
    const byId = new Map(res.body.data.map((u: { id: string }) => [u.id, u]));
    expect(byId.get(ann.userId)).toEqual({ id: ann.userId, email: ann.email, name: 'Mia Member', is_member: true });
    expect(byId.get(gone)).toEqual({ id: gone, email: 'gone@example.test', name: null, is_member: false });
    expect(byId.get(owner.userId)).toMatchObject({ email: owner.email, is_member: true });
    expect(byId.has(stranger.userId)).toBe(false);
    expect(res.body.data).toHaveLength(3);
  });
});

describe('permissions', () => {
  it('a member without audit.view gets 403 on every route; a manager reads but may not export', async () => {
    const owner = await registerOrg(t.http);
    const member = await createMember(t, owner, 'member');
    const manager = await createMember(t, owner, 'manager');
    const [id] = await seed(owner.organizationId, [{ action: 'p.q', at: '2025-01-01T00:00:00Z' }]);
    for (const path of ['/audit-logs', `/audit-logs/${id}`, '/audit-logs/stats', '/audit-logs/viewable-users', '/audit-logs/export']) {
      const res = await t.http.get(path, as(member));
      expect([path, res.status, res.body.code]).toEqual([path, 403, 'missing_permission']);
    }
    expect((await t.http.get(`/audit-logs/${id}`, as(manager))).status).toBe(200);
    const exported = await t.http.get('/audit-logs/export', as(manager));
    expect([exported.status, exported.body.code]).toEqual([403, 'missing_permission']);
    expect((await t.http.get('/audit-logs')).status).toBe(401);
  });
});
