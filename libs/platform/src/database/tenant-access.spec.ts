import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Tenant-owned rows are read and written through TenantRepository, which adds the context's organization.
 * This spec reads the source and fails when a tenant-owned entity is reached through a plain repository,
 * manager or query builder anywhere else.
 */

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * The cross-organization readers and writers: each file (by name, so moving it between libraries keeps the
 * entry), the entities it may reach directly, and why no organization context can scope it.
 */
const ALLOWED: Record<string, { entities: string[]; why: string }> = {
  'organization-provisioner.ts': {
    entities: ['Role', 'Membership'],
    why: 'creates a new organization with its built-in roles and owner membership, before any context acts for it',
  },
  'default-subscription.step.ts': {
    entities: ['OrganizationSubscription'],
    why: 'a provisioning step: the Free subscription of the organization being created',
  },
  'user-memberships.ts': {
    entities: ['Membership'],
    why: "a person's memberships across organizations (sign-in, switching, the organization list)",
  },
  'invitation-acceptance.service.ts': {
    entities: ['Invitation', 'Role'],
    why: "a public caller holds only the token: the invitation is found by its hash, then its own organization's role",
  },
  'session.service.ts': {
    entities: ['Session'],
    why: 'a session belongs to its user and follows them between organizations (refresh, revocation, sign-out everywhere)',
  },
  'user-sessions.service.ts': {
    entities: ['Session'],
    why: "the signed-in user's own devices, whichever organization each acts for",
  },
  'data-export.service.ts': {
    entities: ['Membership', 'Session'],
    why: "the GDPR export: the person's own records in every organization",
  },
  'payment-settlement.ts': {
    entities: ['Payment'],
    why: 'settles the payment a gateway callback, verify or renewal job names, by its id: a callback has no organization context',
  },
  'payment-webhooks.service.ts': {
    entities: ['Payment'],
    why: "a gateway callback names a charge: the payment is found by the gateway's transaction id (or the charge's payment_id)",
  },
  'billing-customers.ts': {
    entities: ['BillingCustomer'],
    why: "the organization's customer at a gateway, for the organization a request or renewal job acts for (by its id)",
  },
  'current-plan.ts': {
    entities: ['OrganizationSubscription'],
    why: 'the subscription of the organization a request, a settled payment or a renewal job acts for, locked FOR UPDATE by its id',
  },
  'plan-activator.ts': {
    entities: ['OrganizationFeature'],
    why: "applies a settled payment's purchase for the payment's organization, in the settlement transaction (callbacks and jobs: no request context)",
  },
  'account-export-sections.ts': {
    entities: ['ApiKey', 'AuditLog'],
    why: 'the GDPR export: keys the person created and actions they took, in every organization',
  },
};

const METHODS = [
  'find', 'findBy', 'findOne', 'findOneBy', 'findOneOrFail', 'findOneByOrFail', 'findAndCount', 'findAndCountBy',
  'count', 'countBy', 'exists', 'existsBy', 'sum', 'average', 'minimum', 'maximum',
  'insert', 'save', 'update', 'upsert', 'delete', 'softDelete', 'restore', 'increment', 'decrement', 'remove', 'preload', 'from',
]; // prettier-ignore

interface Source {
  file: string;
  text: string;
}

function sources(): Source[] {
  const out: Source[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts'))
        out.push({ file: relative(ROOT, path), text: readFileSync(path, 'utf8') });
    }
  };
  for (const top of ['apps', 'libs']) walk(join(ROOT, top));
  return out;
}

/** Entities extending TenantEntity (directly or through another), and entities with a non-null `organizationId`. */
function tenantEntities(files: Source[]): Set<string> {
  const found = new Set<string>(['TenantEntity']);
  for (let grew = true; grew;) {
    grew = false;
    for (const { text } of files) {
      for (const [, name, parent] of text.matchAll(/class\s+(\w+)\s+extends\s+(\w+)/g)) {
        if (found.has(parent) && !found.has(name)) {
          found.add(name);
          grew = true;
        }
      }
    }
  }
  for (const { text } of files) {
    for (const [, name, body] of text.matchAll(/@Entity\([^)]*\)[\s\S]*?class\s+(\w+)[^{]*\{([\s\S]*?)\n\}/g)) {
      if (/^\s*organizationId\s*:\s*string\s*;/m.test(body)) found.add(name);
    }
  }
  found.delete('TenantEntity');
  return found;
}

/** Every `file:line entity` where a tenant entity is handed to a plain repository, manager or query builder. */
function plainAccesses(files: Source[], entities: Set<string>): Array<{ file: string; line: number; entity: string }> {
  const names = [...entities].join('|');
  const call = new RegExp(`(?:getRepository|InjectRepository|createQueryBuilder|\\.(?:${METHODS.join('|')}))\\(\\s*(${names})\\b`, 'g');
  return files.flatMap(({ file, text }) =>
    [...text.matchAll(call)].map((m) => ({ file, line: text.slice(0, m.index).split('\n').length, entity: m[1] })),
  );
}

describe('tenant-owned entities', () => {
  const files = sources();
  const entities = tenantEntities(files);
  const accesses = plainAccesses(files, entities);

  it('are found from the code', () => {
    for (const known of ['Role', 'Membership', 'Invitation', 'ApiKey', 'AuditLog']) expect(entities).toContain(known);
  });

  it('are reached through TenantRepository, except by the listed cross-organization readers', () => {
    const outside = accesses
      .filter((a) => !ALLOWED[basename(a.file)]?.entities.includes(a.entity))
      .map((a) => `${a.file}:${a.line} reads ${a.entity} without the organization (use TenantRepository)`);
    expect(outside).toEqual([]);
  });

  it('keep the allowlist short: each entry names one file that still needs it', () => {
    const stale = Object.entries(ALLOWED).flatMap(([name, { entities: allowed }]) => {
      const matching = files.filter((f) => basename(f.file) === name);
      if (matching.length !== 1) return [`${name}: ${matching.length} files have this name`];
      return allowed
        .filter((e) => !accesses.some((a) => basename(a.file) === name && a.entity === e))
        .map((e) => `${name}: no longer reads ${e}`);
    });
    expect(stale).toEqual([]);
  });

  it('catch a plain read however it is written', () => {
    const probe: Source = {
      file: 'libs/x/src/probe.ts',
      text: [
        'const a = await this.dataSource.getRepository(Role).find();',
        'const b = await em',
        '  .getRepository(Membership)',
        '  .findOne({ where: { id } });',
        'const c = await manager.findOne(Invitation, { where: { id } });',
        "const d = ds.createQueryBuilder(ApiKey, 'k').getMany();",
        'constructor(@InjectRepository(Role) roles: Repository<Role>) {}',
        "const ok = TenantRepository.for(em, Role, 'Role');",
      ].join('\n'),
    };
    expect(plainAccesses([probe], entities).map((a) => `${a.line}:${a.entity}`)).toEqual([
      '1:Role',
      '3:Membership',
      '5:Invitation',
      '6:ApiKey',
      '7:Role',
    ]);
  });
});

/**
 * Row-level security's way around: `acrossTenants(...)` (or a method marked `@AcrossTenants()`) lets a statement see
 * every organization's rows
 * (tenant-scope.ts). Each file that uses it, and why no single organization can scope what it does there.
 */
const ACROSS_TENANTS: Record<string, string> = {
  'credential-authenticator.ts': 'the per-request credential check: a session or API key names its organization only once read',
  'session-issuer.ts': 'refresh-token rotation, keyed by the token presented',
  'session.service.ts': "a person's sessions by id or account, wherever each was opened (sign-out, password change and reset)",
  'user-sessions.service.ts': "the signed-in person's own devices, whichever organization each acts for",
  'user-memberships.ts': "a person's memberships in every organization (sign-in, the organization list, switching)",
  'data-export.service.ts': "the GDPR export: the person's own records in every organization",
  'invitation-acceptance.service.ts': 'a public caller holds only the token: the invitation is found by its hash',
  'payment-webhooks.service.ts': 'a gateway callback names its charge, not an organization',
  'webhook-receiver.service.ts': 'a partner webhook names its organization by slug',
  'renewal.service.ts': 'the renewal scan over every organization',
  'audit-sealer.ts': 'sealing every organization’s new audit entries',
  'access-retention.ts': 'retention of ended sessions, spent one-time tokens and unseen sign-in devices of every account',
  'audit-retention.ts': 'audit retention over every organization',
  'notification-retention.ts': 'notification retention over every organization',
  'digest-sweeper.ts': 'the digest sweep over every organization',
  'pending-blobs.ts': 'the sweep of uploads that never committed, in every organization',
  'health-monitor.ts': 'the integration health probe of every provider',
  'webhook-event-retention.ts': 'webhook event retention over every organization',
  'webhook-event-processing.ts': 'a worker takes its deployment’s received webhook events, whichever organization each is for',
  'sync-queue.ts': 'taking over every organization’s abandoned sync runs',
  'presence.service.ts': 'ending the presence of a dead instance’s sockets, in every organization',
  'outbox-relay.ts': "the relay reads every organization's events (each subscriber then runs in its events' organization)",
  'scoped-worker-host.ts': 'a job that names no organization is a sweep over all of them',
};

describe('paths across tenants (row-level security)', () => {
  const users = sources()
    .filter((f) => !f.file.endsWith('tenant-scope.ts') && /\b[aA]crossTenants\(/.test(f.text))
    .map((f) => basename(f.file));

  it('are only the listed ones, each with its reason', () => {
    expect(users.filter((name) => !(name in ACROSS_TENANTS))).toEqual([]);
  });

  it('keep the list short: each entry names a file that still crosses tenants', () => {
    expect(Object.keys(ACROSS_TENANTS).filter((name) => !users.includes(name))).toEqual([]);
  });
});
