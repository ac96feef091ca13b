import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrg } from '../support/factories.js';
import { connectSocket, nextEvent, stillConnected } from '../support/socket.js';
import { addMember, midStep, registerWithMfa, totp } from '../support/security.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const requireMfa = async (token: string, on: boolean) => {
  const res = await t.http.put('/organizations/me/settings', { settings: { mfa_required: on } }, { token });
  expect(res.status).toBe(200);
  expect(res.body.data.settings.mfa_required).toBe(on);
};

describe('an organization that requires two-factor authentication', () => {
  it('lets a member without it only turn it on, see their account and leave; everything else is 403 until they do', async () => {
    const owner = await registerWithMfa(t);
    const admin = await addMember(t, owner.organizationId, 'admin');
    expect((await t.http.get('/users', { token: admin.accessToken })).status).toBe(200);
    const earlier = await connectSocket(t.url, { token: admin.accessToken });
    const ownerSocket = await connectSocket(t.url, { token: owner.accessToken });
    const dropped = nextEvent<string>(earlier, 'disconnect');
    await requireMfa(owner.accessToken, true);
    expect(await dropped).toBe('io server disconnect');
    expect(await stillConnected(t, ownerSocket, owner.userId)).toBe(true);
    ownerSocket.close();

    for (const path of ['/users', '/roles', '/api-keys', '/organizations/me/stats']) {
      const res = await t.http.get(path, { token: admin.accessToken });
      expect(res.status, path).toBe(403);
      expect(res.body.code, path).toBe('mfa_enrollment_required');
    }
    expect((await t.http.post('/users', { email: 'x@example.com' }, { token: admin.accessToken })).body.code).toBe(
      'mfa_enrollment_required',
    );
    for (const path of ['/users/me', '/organizations', '/organizations/me', '/auth/sessions']) {
      expect((await t.http.get(path, { token: admin.accessToken })).status, path).toBe(200);
    }
    await expect(connectSocket(t.url, { token: admin.accessToken })).rejects.toThrow(/mfa_enrollment_required/);

    const init = await t.http.post('/mfa/setup/initialize', {}, { token: admin.accessToken });
    expect(init.status).toBe(200);
    await midStep();
    const verify = await t.http.post(
      '/mfa/setup/verify',
      { code: await totp(init.body.data.secret as string) },
      { token: admin.accessToken },
    );
    expect(verify.status).toBe(200);
    expect((await t.http.get('/users', { token: admin.accessToken })).status).toBe(200);
    const socket = await connectSocket(t.url, { token: admin.accessToken });

    // Turning it off again: the socket goes, and the requirement applies once more.
    const gone = nextEvent<string>(socket, 'disconnect');
    const backupCode = (verify.body.data.backup_codes as string[])[0];
    const disabled = await t.http.delete('/mfa/disable', { code: backupCode }, { token: admin.accessToken });
    expect(disabled.status).toBe(200);
    expect(await gone).toBe('io server disconnect');
    expect((await t.http.get('/users', { token: admin.accessToken })).body.code).toBe('mfa_enrollment_required');
    await expect(connectSocket(t.url, { token: admin.accessToken })).rejects.toThrow(/mfa_enrollment_required/);
  });

  it('can be turned on only by someone who has two-factor authentication on themselves', async () => {
    const owner = await registerOrg(t.http);
    const res = await t.http.put('/organizations/me/settings', { settings: { mfa_required: true } }, { token: owner.accessToken });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('own_mfa_required');
    expect((await t.http.get('/organizations/me', { token: owner.accessToken })).body.data.settings.mfa_required).toBe(false);
  });

  it('applies to the organization that requires it only, takes effect and lifts on the next request, and leaves API keys alone', async () => {
    const owner = await registerWithMfa(t);
    const key = await t.http.post('/api-keys', { name: 'ci', permissions: ['users.view'] }, { token: owner.accessToken });
    expect(key.status).toBe(201);
    const elsewhere = await registerOrg(t.http);
    const member = await addMember(t, owner.organizationId, 'admin', elsewhere);
    await requireMfa(owner.accessToken, true);

    expect((await t.http.get('/users', { token: member.accessToken })).body.code).toBe('mfa_enrollment_required');
    expect((await t.http.get('/users', { token: elsewhere.accessToken })).status).toBe(200);
    expect((await t.http.get('/users', { token: elsewhere.accessToken, organizationId: owner.organizationId })).status).toBe(403);
    expect((await t.http.get('/users', { apiKey: key.body.data.key as string })).status).toBe(200);
    expect((await t.http.get('/users', { token: owner.accessToken })).status).toBe(200);

    await requireMfa(owner.accessToken, false);
    expect((await t.http.get('/users', { token: member.accessToken })).status).toBe(200);
  });
});
