import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditEntry, AuditWriter } from '@atrium/audit';
import { MissingTenantError, RequestContext } from '@atrium/platform';
import { registerOrg } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

async function organizationsOf(resourceId: string): Promise<string[]> {
  const rows = await t.db.query<Array<{ organization_id: string }>>(`SELECT organization_id FROM audit_logs WHERE resource_id = $1`, [
    resourceId,
  ]);
  return rows.map((r) => r.organization_id);
}

describe('AuditWriter', () => {
  it("writes to the context's organization, whatever the entry names", async () => {
    const [a, b] = await Promise.all([registerOrg(t.http), registerOrg(t.http)]);
    const resourceId = randomUUID();
    const entry: AuditEntry = {
      action: 'probe.recorded',
      resourceType: 'probe',
      resourceId,
      target: 'probe',
      // @ts-expect-error an entry cannot name the organization: the context decides
      organizationId: b.organizationId,
    };
    await t.db.transaction((em) => t.app.get(AuditWriter).record(em, RequestContext.system('audit-spec', a.organizationId), entry));
    expect(await organizationsOf(resourceId)).toEqual([a.organizationId]);
  });

  it('writes nothing without an organization in the context', async () => {
    const resourceId = randomUUID();
    const record = t.db.transaction((em) =>
      t.app.get(AuditWriter).record(em, RequestContext.anonymous('audit-spec'), {
        action: 'probe.recorded',
        resourceType: 'probe',
        resourceId,
        target: null,
      }),
    );
    await expect(record).rejects.toBeInstanceOf(MissingTenantError);
    expect(await organizationsOf(resourceId)).toEqual([]);
  });
});
