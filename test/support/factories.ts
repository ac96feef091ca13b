import { randomUUID } from 'node:crypto';
import type { HttpClient } from './http-client.js';

export interface RegisteredOrg {
  email: string;
  password: string;
  userId: string;
  organizationId: string;
  accessToken: string;
  refreshToken: string;
}

export const STRONG_PASSWORD = 'Lantern-Harbor-42!';

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomUUID().slice(0, 12)}@example.test`;
}

/** Registers a fresh organization with its owner and signs in. */
export async function registerOrg(
  http: HttpClient,
  overrides: Partial<{ email: string; password: string; organization_name: string }> = {},
): Promise<RegisteredOrg> {
  const email = overrides.email ?? uniqueEmail('owner');
  const password = overrides.password ?? STRONG_PASSWORD;
  const reg = await http.post('/auth/organization/register', {
    organization_name: overrides.organization_name ?? `Org ${randomUUID().slice(0, 8)}`,
    first_name: 'Olive',
    last_name: 'Owner',
    email,
    password,
  });
  if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${JSON.stringify(reg.body)}`);
  const login = await http.post('/auth/login', { email, password });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
  return {
    email,
    password,
    userId: reg.body.user_id,
    organizationId: reg.body.organization_id,
    accessToken: login.body.access_token,
    refreshToken: login.body.refresh_token,
  };
}
