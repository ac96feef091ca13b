import { describe, expect, it } from 'vitest';
import { type EntitlementRow, EntitlementSnapshot } from './entitlement-snapshot.js';

const row = (over: Partial<EntitlementRow>): EntitlementRow => ({
  package_id: 1,
  package_slug: 'free',
  package_name: 'Free',
  feature_id: 1,
  key: 'x',
  name: 'X',
  kind: 'flag',
  unit: null,
  in_package: false,
  limit_value: null,
  addon_unit: null,
  addon_quantity: 0,
  ...over,
});

describe('EntitlementSnapshot', () => {
  it('includes a flag from the package or from an add-on', () => {
    const s = EntitlementSnapshot.fromRows([
      row({ key: 'custom_slug' }),
      row({ key: 'calls', in_package: true }),
      row({ key: 'audit_export', addon_quantity: 1 }),
    ]);
    expect(s.get('custom_slug').included).toBe(false);
    expect(s.get('calls').included).toBe(true);
    expect(s.get('audit_export').included).toBe(true);
  });

  it('adds add-on units to a limit, keeps unlimited unlimited, and counts a missing limit as 0', () => {
    const s = EntitlementSnapshot.fromRows([
      row({ key: 'members', kind: 'limit', in_package: true, limit_value: '5', addon_unit: '10', addon_quantity: 2 }),
      row({ key: 'api_keys', kind: 'limit', in_package: true, limit_value: null, addon_unit: '5', addon_quantity: 1 }),
      row({ key: 'webhook_providers', kind: 'limit', in_package: false, addon_unit: '5' }),
      row({ key: 'storage_bytes', kind: 'limit', in_package: true, limit_value: String(1024 ** 4) }),
    ]);
    expect(s.get('members')).toMatchObject({ included: true, limit: 25 });
    expect(s.get('api_keys')).toMatchObject({ included: true, limit: null });
    expect(s.get('webhook_providers')).toMatchObject({ included: false, limit: 0 });
    expect(s.get('storage_bytes').limit).toBe(1024 ** 4);
    expect(s.pkg).toEqual({ id: 1, slug: 'free', name: 'Free' });
  });

  it('refuses a feature key the catalogue does not know', () => {
    expect(() => EntitlementSnapshot.fromRows([row({ key: 'calls' })]).get('teleport')).toThrow(/Unknown feature/);
  });
});
