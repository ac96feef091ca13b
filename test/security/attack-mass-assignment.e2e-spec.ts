import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNothingChanged, organizationFootprint, rawRequest } from '../support/attack.js';
import { registerOrg, type RegisteredOrg } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Attack matrix, mass assignment: every create and update route of the OpenAPI document (so a new route is covered
 * without editing this file) refuses each server-owned property with a 400 naming it, and changes nothing.
 */
const SERVER_OWNED = {
  organization_id: randomUUID(),
  role: 'owner',
  is_owner: true,
  status: 'active',
  amount_minor: 1,
  id: randomUUID(),
  created_at: '2000-01-01T00:00:00.000Z',
} as const;

/**
 * Pairs where the property is part of the route's contract, so it is not mass assignment: signing in to / switching to
 * an organization names it (`organization_id`, checked against membership), and an administrator creating or changing
 * a member sets their role (and, on update, suspends or reactivates them with `status`), behind users.edit; an
 * integrations admin settles a webhook event by hand (`status`, audited) and replays a window of events filtered by
 * their `status`, behind integrations.manage.
 */
const ACCEPTED_BY_CONTRACT = [
  'PATCH /api/v1/integrations/webhook-events/{id} status',
  'POST /api/v1/auth/login organization_id',
  'POST /api/v1/auth/magic-link organization_id',
  'POST /api/v1/auth/verify-mfa organization_id',
  'POST /api/v1/integrations/webhook-events/replay status',
  'POST /api/v1/users role',
  'PUT /api/v1/organizations/switch organization_id',
  'PUT /api/v1/users/{id} role',
  'PUT /api/v1/users/{id} status',
];

/**
 * HTML form posts with no DTO: the one-click unsubscribe reads only its signed token from the query (RFC 8058 bodies
 * carry nothing else), and the sandbox checkout page reads the card fields it shows. Neither copies a body into a row.
 */
const FORM_ROUTES = ['POST /api/v1/notifications/unsubscribe', 'POST /api/v1/sandbox/checkout/{token}'];

interface Schema {
  $ref?: string;
  properties?: Record<string, unknown>;
}
interface Operation {
  requestBody?: { content: Record<string, { schema: Schema }> };
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

let t: TestApp;
let org: RegisteredOrg;
let doc: OpenApi;

// The document is read from a running app before the tables are built; it is the same for every instance.
const { cases, accepted, formRoutes } = await (async () => {
  const app = await startTestApp();
  try {
    doc = (await (await fetch(`${app.url}/api/docs-json`)).json()) as OpenApi;
  } finally {
    await app.close();
  }
  const out: Array<{ route: string; method: string; path: string; type: string; property: keyof typeof SERVER_OWNED }> = [];
  const skipped: string[] = [];
  const forms: string[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (!['post', 'put', 'patch'].includes(method) || !op.requestBody) continue;
      const type = Object.keys(op.requestBody.content).find((c) => c === 'application/json');
      if (!type) {
        if (op.requestBody.content['application/x-www-form-urlencoded']) forms.push(`${method.toUpperCase()} ${path}`);
        continue;
      }
      const schema = op.requestBody.content[type].schema;
      const resolved = schema.$ref ? doc.components.schemas[schema.$ref.split('/').pop()!] : schema;
      for (const property of Object.keys(SERVER_OWNED) as Array<keyof typeof SERVER_OWNED>) {
        const route = `${method.toUpperCase()} ${path}`;
        if (resolved.properties && property in resolved.properties) skipped.push(`${route} ${property}`);
        else out.push({ route, method: method.toUpperCase(), path, type, property });
      }
    }
  }
  return { cases: out, accepted: skipped.sort(), formRoutes: forms.sort() };
})();

beforeAll(async () => {
  t = await startTestApp();
  org = await registerOrg(t.http);
  // On the top package, so feature gates (calls, custom slug) let every request reach validation.
  await t.db.query(
    `UPDATE organization_subscriptions SET package_id = (SELECT id FROM packages WHERE slug = 'diamond') WHERE organization_id = $1`,
    [org.organizationId],
  );
});
afterAll(async () => {
  await t?.close();
});

/** A concrete path: ids are fresh uuids, tokens 43 characters (the handler is never reached). */
const concrete = (path: string) =>
  path.replace('/api/v1', '').replace(/\{(\w+)\}/g, (_, name: string) => (/token/i.test(name) ? 'x'.repeat(43) : randomUUID()));

describe('server-owned properties in create and update bodies', () => {
  it('covers every create and update route, and the only accepted pairs are the documented ones', () => {
    expect(new Set(cases.map((c) => c.route)).size).toBeGreaterThan(40);
    expect(accepted).toEqual(ACCEPTED_BY_CONTRACT);
    expect(formRoutes).toEqual(FORM_ROUTES);
  });

  it.each(cases)('$route with $property → 400 naming it', async ({ method, path, type, property }) => {
    const value = SERVER_OWNED[property];
    const body = type === 'application/json' ? JSON.stringify({ [property]: value }) : `${property}=${encodeURIComponent(String(value))}`;
    const res = await expectNothingChanged(t, await organizationFootprint(t, org.organizationId), () =>
      rawRequest(t, method, concrete(path), body, {
        authorization: `Bearer ${org.accessToken}`,
        'content-type': type,
        accept: 'application/json',
      }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    // "property x should not exist", or a route's own wording (settings: "x is not a setting").
    const problems = (res.body.details as Array<{ field: string; problems: string[] }>).find((d) => d.field === property)?.problems;
    expect(problems?.join(' ')).toMatch(new RegExp(`\\b${property}\\b.*(should not exist|is not a)`));
  });
});

describe('prototype pollution', () => {
  const polluted = () => (({}) as Record<string, unknown>).polluted ?? (Object.prototype as Record<string, unknown>).isAdmin;

  it.each([
    { name: '__proto__ at the top', body: '{"first_name":"Proto","__proto__":{"polluted":"yes","isAdmin":true}}', field: '__proto__' },
    {
      name: '__proto__ written with a unicode escape',
      body: '{"first_name":"Proto","\\u005f_proto__":{"polluted":"yes"}}',
      field: '__proto__',
    },
    { name: '__proto__ nested', body: '{"first_name":"Proto","a":{"b":{"__proto__":{"polluted":"yes"}}}}', field: 'a.b.__proto__' },
    { name: '__proto__ in an array', body: '{"first_name":"Proto","a":[{"__proto__":{"polluted":"yes"}}]}', field: 'a.0.__proto__' },
    {
      name: 'constructor.prototype',
      body: '{"first_name":"Proto","constructor":{"prototype":{"polluted":"yes"}}}',
      field: 'constructor.prototype',
    },
  ])('a JSON body with $name → 400 naming it; no object is polluted', async ({ body, field }) => {
    const res = await expectNothingChanged(t, await organizationFootprint(t, org.organizationId), () =>
      rawRequest(t, 'PUT', '/users/me', body, { authorization: `Bearer ${org.accessToken}`, 'content-type': 'application/json' }),
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'validation_failed', details: [{ field }] });
    // The follow-up: the app (in this process) answers a fresh request with nothing inherited from the attack.
    const me = await t.http.get('/users/me', { token: org.accessToken });
    expect(me.body.data).not.toHaveProperty('polluted');
    expect(me.body.data.first_name).not.toBe('Proto');
    expect(polluted()).toBeUndefined();
  });

  it.each([
    { name: '__proto__[polluted]', query: '__proto__[polluted]=yes' },
    { name: 'constructor[prototype][polluted]', query: 'constructor[prototype][polluted]=yes' },
    { name: '__proto__.polluted', query: '__proto__.polluted=yes' },
  ])('a list query with $name → 400 naming it; no object is polluted', async ({ query }) => {
    const res = await t.http.get(`/users?${query}`, { token: org.accessToken });
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { field: string }) => d.field)).toEqual([decodeURIComponent(query.split('=')[0])]);
    const follow = await t.http.get('/users', { token: org.accessToken });
    expect(follow.status).toBe(200);
    expect(follow.body).not.toHaveProperty('polluted');
    expect(polluted()).toBeUndefined();
  });

  it('a route without query parameters ignores a polluting query string, and no object is polluted', async () => {
    const res = await t.http.get('/users/me?__proto__[polluted]=yes&constructor[prototype][isAdmin]=true', { token: org.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.data).not.toHaveProperty('polluted');
    expect(polluted()).toBeUndefined();
  });
});
