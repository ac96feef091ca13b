import { randomUUID } from 'node:crypto';
import { SCHEMES, type SignatureSchemeName } from '@atrium/integrations';
import { setPaidPeriod } from './billing.js';
import type { RegisteredOrg } from './factories.js';
import type { HttpResponse } from './http-client.js';
import type { TestApp } from './test-app.js';

export interface CreatedProvider {
  id: string;
  name: string;
  signature_scheme: SignatureSchemeName;
  secret: string;
  event_types: string[];
  previous_secret_expires_at: string | null;
}

/** Puts the organization on Diamond (no limit on webhook providers), as a payment would. */
export async function unlimitedProviders(t: TestApp, organizationId: string): Promise<void> {
  const start = new Date();
  await setPaidPeriod(t, organizationId, {
    slug: 'diamond',
    period: 'monthly',
    amountMinor: 14900,
    start,
    end: new Date(start.getTime() + 30 * 86400_000),
  });
}

/** Creates a provider through the API (201 expected) and answers it with its one-time secret. */
export async function createProvider(
  t: TestApp,
  owner: Pick<RegisteredOrg, 'accessToken'>,
  body: { name?: string; signature_scheme?: SignatureSchemeName; secret?: string; event_types?: string[] } = {},
): Promise<CreatedProvider> {
  const res = await t.http.post(
    '/integrations/providers',
    { name: `svc-${randomUUID().slice(0, 8)}`, signature_scheme: 'hmac-sha256', ...body },
    { token: owner.accessToken },
  );
  if (res.status !== 201) throw new Error(`create provider failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data as CreatedProvider;
}

/** Posts `payload` (an object, sent as JSON, or the exact text) signed by `scheme` with `secret`, to `path` under /api/v1. */
export function sendSigned(
  t: TestApp,
  path: string,
  scheme: SignatureSchemeName,
  secret: string,
  payload: unknown,
  opts: { at?: Date; headers?: Record<string, string>; eventId?: string } = {},
): Promise<HttpResponse> {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const signature = SCHEMES[scheme].sign(body, secret, opts.at ?? new Date(), opts.eventId);
  return t.http.request('POST', path, body, { headers: { 'content-type': 'application/json', ...signature, ...opts.headers } });
}
