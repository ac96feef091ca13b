import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrg } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

async function trail(organizationId: string): Promise<Array<Record<string, any>>> {
  return t.db.query(
    `SELECT action, actor_user_id, resource_id, before, after, metadata, ip, request_id FROM audit_logs WHERE organization_id = $1 ORDER BY created_at, action`,
    [organizationId],
  );
}

describe('audit trail of the account core', () => {
  it('records registration, sign-in, profile and password changes and logout, with the actor and no secrets', async () => {
    const org = await registerOrg(t.http);
    await t.http.put('/users/me', { first_name: 'Audra' }, { token: org.accessToken });
    const changed = await t.http.put(
      '/users/me/change-password',
      { current_password: org.password, new_password: 'Quiet-Orchard-58' },
      { token: org.accessToken },
    );
    expect(changed.status).toBe(204);
    await t.http.post('/auth/logout', {}, { token: org.accessToken });

    const rows = await trail(org.organizationId);
    const actions = rows.map((r) => r.action);
    expect(actions).toEqual(
      expect.arrayContaining(['organization.registered', 'session.created', 'user.updated', 'user.password_changed', 'session.ended']),
    );
    expect(rows.every((r) => r.actor_user_id === org.userId)).toBe(true);
    const update = rows.find((r) => r.action === 'user.updated')!;
    expect(update.before.first_name).toBe('Olive');
    expect(update.after.first_name).toBe('Audra');
    expect(update.request_id).toBeTruthy();
    const text = JSON.stringify(rows);
    for (const secret of [org.password, 'Quiet-Orchard-58', org.refreshToken, org.accessToken]) expect(text).not.toContain(secret);
    expect(text).not.toContain('$argon2');
  });

  it('writes nothing when the change itself is refused', async () => {
    const org = await registerOrg(t.http);
    const before = (await trail(org.organizationId)).length;
    const refused = await t.http.put(
      '/users/me/change-password',
      { current_password: 'wrong-wrong-wrong', new_password: 'Quiet-Orchard-58' },
      { token: org.accessToken },
    );
    expect(refused.status).toBe(400);
    expect((await trail(org.organizationId)).length).toBe(before);
  });
});
