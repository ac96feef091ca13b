import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGroup } from '../messaging/chat-support.js';
import { STRONG_PASSWORD, uniqueEmail } from '../support/factories.js';
import { spread, Sql, until } from './support/deployment.js';
import { steadyLoad } from './support/load.js';
import { type AppProcess, deploymentEnv, startProcess } from './support/processes.js';
import { type OwnPostgres, startOwnPostgres } from './support/services.js';

/**
 * PostgreSQL stopped (fast shutdown: every connection cut) and started again while an api process takes ~200
 * writes a second: no hangs, a clear 503 while it is down, recovery without a restart, and every acknowledged
 * write stored exactly once.
 */
const RATE = 200;
const DOWN_MS = 5_000;

let pgServer: OwnPostgres;
let sql: Sql;
let api: AppProcess;

beforeAll(async () => {
  pgServer = await startOwnPostgres();
  sql = new Sql(pgServer.url);
  api = await startProcess('api', deploymentEnv(pgServer.url, undefined, { TRUST_PROXY: '127.0.0.0/8', LOG_LEVEL: 'warn' }));
});
afterAll(async () => {
  await api?.stop();
  await sql?.end();
  await pgServer?.destroy();
});

describe('PostgreSQL restarted under load', () => {
  it('answers 503 database_unavailable while it is down, recovers within 30 s, and keeps every acknowledged write once', async () => {
    const http = spread(api.url);
    const email = uniqueEmail('owner');
    const reg = await http.post('/auth/organization/register', {
      organization_name: 'Restart Co',
      first_name: 'Olive',
      last_name: 'Owner',
      email,
      password: STRONG_PASSWORD,
    });
    expect(reg.status).toBe(201);
    const token = (await http.post('/auth/login', { email, password: STRONG_PASSWORD })).body.access_token as string;
    await sql.rows(
      `UPDATE organization_subscriptions SET package_id = (SELECT id FROM packages WHERE slug = 'diamond') WHERE organization_id = $1`,
      [reg.body.organization_id],
    );
    const member = await http.post(
      '/users',
      { email: uniqueEmail('member'), password: STRONG_PASSWORD, role: 'member', first_name: 'Mia', last_name: 'Member' },
      { token },
    );
    expect(member.status).toBe(201);
    const chat = await createGroup({ http } as never, token, [member.body.data.id as string], 'Load');

    const load = steadyLoad(RATE, async (i, signal) => {
      const res = await fetch(`${api.url}/api/v1/chats/${chat}/messages`, {
        method: 'POST',
        signal,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ content: `write ${i}`, message_type: 'TEXT' }),
      });
      return { status: res.status, body: await res.json().catch(() => null) };
    });
    await until(async () => (load.shots.filter((s) => s.status === 201).length >= RATE ? true : undefined), 'a second of writes');
    const stoppedAt = Date.now();
    await pgServer.stop();
    await new Promise((r) => setTimeout(r, DOWN_MS));
    await pgServer.start();
    const startedAt = Date.now();
    // Recovered: a full second of writes sent after the restart all succeed.
    const recoveredAt = await until(
      async () => {
        const after = load.shots.filter((s) => s.sentAt > startedAt).sort((x, y) => x.sentAt - y.sentAt);
        for (let i = 0; i + RATE <= after.length; i++) {
          const window = after.slice(i, i + RATE);
          if (window.every((s) => s.status === 201)) return window[0].sentAt;
        }
        return undefined;
      },
      'a second of successful writes after the restart',
      30_000,
    ).catch(() => Infinity);
    const shots = await load.stop();

    const summary = Object.entries(
      shots.reduce<Record<string, number>>((acc, s) => {
        const key = `${s.status}${s.code ? ` ${s.code}` : ''}${s.hung ? ' hung' : ''}`;
        acc[key] = (acc[key] ?? 0) + 1;
        return acc;
      }, {}),
    );
    console.log('postgres restart:', JSON.stringify({ summary, recovery_ms: recoveredAt - startedAt, down_ms: startedAt - stoppedAt }));
    const unhandled = api
      .output()
      .split('\n')
      .filter((l) => l.includes('Unhandled error'));
    if (unhandled.length) console.log(unhandled.slice(0, 3).join('\n'));

    expect(shots.filter((s) => s.hung)).toEqual([]);
    const failures = shots.filter((s) => s.status !== 201);
    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) {
      expect({ status: f.status, code: f.code }).toEqual({ status: 503, code: 'database_unavailable' });
      expect(JSON.stringify(f.body)).not.toMatch(/ECONNREFUSED|terminat|QueryFailed|postgres|sql/i);
    }
    expect(recoveredAt - startedAt).toBeLessThan(30_000);

    const acknowledged = shots.filter((s) => s.status === 201).map((s) => s.body.data.id as string);
    const stored = await sql.rows<{ id: string; content: string }>(`SELECT id, content FROM messages WHERE chat_id = $1`, [chat]);
    const storedIds = new Set(stored.map((r) => r.id));
    expect(acknowledged.filter((id) => !storedIds.has(id))).toEqual([]);
    const contents = stored.map((r) => r.content);
    expect(contents.length - new Set(contents).size).toBe(0);
  });
});
