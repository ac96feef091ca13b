import { describe, expect, it } from 'vitest';
import { RequestContext } from './request-context.js';

const ORG_A = '00000000-0000-4000-8000-00000000000a';
const ORG_B = '00000000-0000-4000-8000-00000000000b';

const adminOfA = () =>
  new RequestContext('req-1', 'user-1', ORG_A, ['users.edit', 'roles.manage'], {
    authMethod: 'jwt',
    sessionId: 'session-1',
    roleSlug: 'admin',
    mfaEnabled: false,
    restrictions: ['mfa_enrollment'],
    ip: '203.0.113.9',
    userAgent: 'test-agent',
  });

describe('RequestContext.withOrganization', () => {
  it('starts the other organization with no permissions and none of the old role', () => {
    const there = adminOfA().withOrganization(ORG_B, []);
    expect(there.organizationId).toBe(ORG_B);
    expect(there.can('users.edit')).toBe(false);
    expect([...there.permissions]).toEqual([]);
    expect(there.meta.roleSlug).toBeUndefined();
    expect(there.meta.restrictions).toBeUndefined();
    expect(there.toJSON().permissions).toEqual([]);
  });

  it('holds exactly the permissions given for the new organization, and keeps who is acting and from where', () => {
    const there = adminOfA().withOrganization(ORG_B, ['organization.view']);
    expect([...there.permissions]).toEqual(['organization.view']);
    expect(there).toMatchObject({ requestId: 'req-1', userId: 'user-1', organizationId: ORG_B });
    expect(there.meta).toMatchObject({ authMethod: 'jwt', ip: '203.0.113.9', userAgent: 'test-agent', mfaEnabled: false });
  });
});
