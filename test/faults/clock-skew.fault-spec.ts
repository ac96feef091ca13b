import { randomUUID } from 'node:crypto';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMES } from '@atrium/integrations';
import { STRONG_PASSWORD, uniqueEmail } from '../support/factories.js';
import { spread, Sql } from './support/deployment.js';
import { type AppProcess, deploymentEnv, startProcess } from './support/processes.js';
import { type OwnPostgres, startOwnPostgres } from './support/services.js';

/**
 * Two api processes on one database whose clocks are 90 s fast (A) and 90 s slow (B) — 180 s apart — against the
 * documented windows: signed webhooks are accepted within 5 minutes either way of the receiving process's clock,
 * TOTP codes within one 30 s step of it.
 */
const SKEW_MS = 90_000;

let pgServer: OwnPostgres;
let sql: Sql;
let fast: AppProcess;
let slow: AppProcess;

beforeAll(async () => {
  pgServer = await startOwnPostgres();
  sql = new Sql(pgServer.url);
  const env = deploymentEnv(pgServer.url, undefined, { TRUST_PROXY: '127.0.0.0/8', LOG_LEVEL: 'warn', RUN_WORKERS: 'false' });
  [fast, slow] = await Promise.all([
    startProcess('api', env, { clockSkewMs: SKEW_MS }),
    startProcess('api', env, { clockSkewMs: -SKEW_MS }),
  ]);
});
afterAll(async () => {
  await Promise.all([fast?.stop(), slow?.stop()]);
  await sql?.end();
  await pgServer?.destroy();
});

async function owner(via: AppProcess) {
  const http = spread(via.url);
  const email = uniqueEmail('owner');
  const reg = await http.post('/auth/organization/register', {
    organization_name: `Org ${randomUUID().slice(0, 8)}`,
    first_name: 'Olive',
    last_name: 'Owner',
    email,
    password: STRONG_PASSWORD,
  });
  expect(reg.status).toBe(201);
  const login = await http.post('/auth/login', { email, password: STRONG_PASSWORD });
  expect(login.status).toBe(200);
  return { email, organizationId: reg.body.organization_id as string, token: login.body.access_token as string };
}

/** The TOTP code of the 30 s step `ms` away from this (true) clock. */
const codeAt = (secret: string, ms: number) => generate({ secret, epoch: Math.floor((Date.now() + ms) / 1000) });

describe('clocks 90 s fast and 90 s slow', () => {
  it('a token issued by either process is accepted by the other', async () => {
    const a = await owner(fast);
    const b = await owner(slow);
    expect((await spread(slow.url).get('/users/me', { token: a.token })).status).toBe(200);
    expect((await spread(fast.url).get('/users/me', { token: b.token })).status).toBe(200);
  });

  it('signed webhooks: accepted within 5 minutes of the receiving process’s clock, refused past it', async () => {
    const o = await owner(fast);
    await sql.rows(
      `UPDATE organization_subscriptions SET package_id = (SELECT id FROM packages WHERE slug = 'diamond') WHERE organization_id = $1`,
      [o.organizationId],
    );
    const provider = await spread(fast.url).post(
      '/integrations/providers',
      { name: 'svc', signature_scheme: 'standard-webhooks' },
      { token: o.token },
    );
    expect(provider.status).toBe(201);
    const send = (via: AppProcess, offsetMs: number) => {
      const body = JSON.stringify({ event_id: randomUUID(), type: 'contact.updated' });
      const headers = SCHEMES['standard-webhooks'].sign(
        body,
        provider.body.data.secret as string,
        new Date(Date.now() + offsetMs),
        `msg_${randomUUID()}`,
      );
      return spread(via.url).request('POST', `/webhooks/${o.organizationId}/svc`, body, {
        headers: { 'content-type': 'application/json', ...headers },
      });
    };
    // Signed now by a sender with a true clock: 90 s off for either process, well inside 5 minutes.
    expect((await send(fast, 0)).status).toBe(200);
    expect((await send(slow, 0)).status).toBe(200);
    // Signed 250 s ago: 340 s old for the fast process (refused), 160 s for the slow one (accepted); the reverse ahead.
    const past = [await send(fast, -250_000), await send(slow, -250_000)];
    expect(past.map((r) => [r.status, r.body.code ?? null])).toEqual([
      [400, 'signature_timestamp_out_of_tolerance'],
      [200, null],
    ]);
    const ahead = [await send(fast, 250_000), await send(slow, 250_000)];
    expect(ahead.map((r) => [r.status, r.body.code ?? null])).toEqual([
      [200, null],
      [400, 'signature_timestamp_out_of_tolerance'],
    ]);
  });

  it('TOTP: a code is checked against the serving process’s clock, one step either way', async () => {
    const o = await owner(fast);
    const http = spread(fast.url);
    const { secret } = (await http.post('/mfa/setup/initialize', {}, { token: o.token })).body.data as { secret: string };
    // A code of the true time is three steps behind the fast process: refused. One of its own time: accepted.
    const behind = await http.post('/mfa/setup/verify', { code: await codeAt(secret, 0) }, { token: o.token });
    expect(behind.status).toBe(400);
    const own = await http.post('/mfa/setup/verify', { code: await codeAt(secret, SKEW_MS) }, { token: o.token });
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    // The slow process keeps the last accepted step: its own current code is earlier than that, so it is refused as a
    // replay; signing in works through the process whose clock the code matches.
    const creds = { email: o.email, password: STRONG_PASSWORD };
    const onSlow = await spread(slow.url).post('/auth/verify-mfa', { ...creds, mfa_code: await codeAt(secret, -SKEW_MS) });
    expect([onSlow.status, onSlow.body.code]).toEqual([401, 'mfa_code_reused']);
    const onFast = await http.post('/auth/verify-mfa', { ...creds, mfa_code: await codeAt(secret, SKEW_MS + 30_000) });
    expect(onFast.status, JSON.stringify(onFast.body)).toBe(200);
  });
});
