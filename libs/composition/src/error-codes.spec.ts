import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { definedErrorCodes } from '@atrium/platform';
import { PlatformError } from '@atrium/platform/platform.errors.js';
import { OrganizationsError } from '@atrium/organizations/organizations.errors.js';
import { AccessError } from '@atrium/access/access.errors.js';
import { AccountsError } from '@atrium/accounts/accounts.errors.js';
import { MembersError } from '@atrium/members/members.errors.js';
import { BillingError } from '@atrium/billing/billing.errors.js';
import { MessagingError } from '@atrium/messaging/messaging.errors.js';
import { IntegrationsError } from '@atrium/integrations/integrations.errors.js';

/**
 * Every module's error table, loaded together: defineErrors already refuses a code defined twice at start-up,
 * this spec proves it holds for the real tables, and reads the source so new throw sites use a table too.
 */

const TABLES = {
  platform: PlatformError,
  organizations: OrganizationsError,
  access: AccessError,
  accounts: AccountsError,
  members: MembersError,
  billing: BillingError,
  messaging: MessagingError,
  integrations: IntegrationsError,
};

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('error codes', () => {
  it('are snake_case, each with one kind, each defined by exactly one module', () => {
    const defined = definedErrorCodes();
    const owners = new Map<string, string[]>();
    for (const [module, table] of Object.entries(TABLES)) {
      for (const code of Object.keys(table)) owners.set(code, [...(owners.get(code) ?? []), module]);
    }
    const shared = [...owners].filter(([, modules]) => modules.length > 1).map(([code, modules]) => `${code}: ${modules.join(', ')}`);
    expect(shared).toEqual([]);
    expect([...owners.keys()].filter((code) => !/^[a-z]+(_[a-z0-9]+)*$/.test(code))).toEqual([]);
    for (const [code, [module]] of owners) {
      expect(defined.get(code)?.module, code).toBe(module);
      const error = (TABLES as Record<string, Record<string, () => { code: string; kind: string }>>)[module][code]();
      expect(error.code).toBe(code);
      expect(error.kind, code).toBe(defined.get(code)?.kind);
    }
  });

  it('keep one meaning for the codes that used to have two', () => {
    const kindOf = (code: string) => definedErrorCodes().get(code)?.kind;
    expect(kindOf('invalid_token')).toBe('unauthorized');
    expect(kindOf('token_expired')).toBe('unauthorized');
    expect([kindOf('invalid_link'), kindOf('link_expired'), kindOf('link_used')]).toEqual(['bad_request', 'bad_request', 'bad_request']);
    expect(kindOf('api_key_revoked')).toBe('unauthorized');
    expect(kindOf('api_key_already_revoked')).toBe('conflict');
    expect(kindOf('api_key_expired')).toBe('unauthorized');
    expect(kindOf('api_key_already_expired')).toBe('conflict');
    expect(kindOf('membership_revoked')).toBe('unauthorized');
    expect(kindOf('member_revoked')).toBe('conflict');
    expect(kindOf('invalid_mfa_code')).toBe('unauthorized');
    expect(kindOf('wrong_mfa_code')).toBe('bad_request');
  });

  it('are thrown from the tables: no literal code is built outside a <lib>.errors.ts file', () => {
    const literal = /\bnew DomainError\s*\(|(?<![.\w])(?:badRequest|conflict|forbidden|unauthorized)\s*\(/g;
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.errors.ts')) {
          const file = relative(ROOT, path);
          // The mechanism itself: DomainError, notFound (the generic <resource>_not_found family) and defineErrors.
          if (file.endsWith('http/domain-error.ts') || file.endsWith('http/error-codes.ts')) continue;
          const text = readFileSync(path, 'utf8');
          for (const m of text.matchAll(literal)) offenders.push(`${file}:${text.slice(0, m.index).split('\n').length}: ${m[0]}`);
        }
      }
    };
    walk(join(ROOT, 'libs'));
    expect(offenders).toEqual([]);
  });
});
