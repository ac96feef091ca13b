import type { FeatureKind } from '../catalogue/feature.entity.js';

/** One feature as the entitlement query returns it. */
export interface EntitlementRow {
  package_id: number;
  package_slug: string;
  package_name: string;
  feature_id: number;
  key: string;
  name: string;
  kind: FeatureKind;
  unit: string | null;
  in_package: boolean;
  /** The package's limit (bigint as text); null means unlimited, or nothing for a flag. */
  limit_value: string | null;
  addon_unit: string | null;
  addon_quantity: number;
}

export interface FeatureEntitlement {
  id: number;
  key: string;
  name: string;
  kind: FeatureKind;
  unit: string | null;
  included: boolean;
  /** For limits: the allowance with add-ons, null when unlimited. Always null for flags. */
  limit: number | null;
}

/** What one organization may use right now: its package's features plus its active add-ons. */
export class EntitlementSnapshot {
  constructor(
    readonly pkg: { id: number; slug: string; name: string },
    readonly features: ReadonlyMap<string, FeatureEntitlement>,
  ) {}

  static fromRows(rows: EntitlementRow[]): EntitlementSnapshot {
    if (!rows.length) throw new Error('No package applies: the catalogue has no default package');
    const features = new Map<string, FeatureEntitlement>();
    for (const r of rows) {
      features.set(r.key, { id: r.feature_id, key: r.key, name: r.name, kind: r.kind, unit: r.unit, ...entitlementOf(r) });
    }
    return new EntitlementSnapshot({ id: rows[0].package_id, slug: rows[0].package_slug, name: rows[0].package_name }, features);
  }

  /** The feature, or an error for a key the catalogue does not know (a programming mistake, never user input). */
  get(key: string): FeatureEntitlement {
    const feature = this.features.get(key);
    if (!feature) throw new Error(`Unknown feature "${key}"`);
    return feature;
  }
}

function entitlementOf(r: EntitlementRow): { included: boolean; limit: number | null } {
  const addons = r.addon_quantity;
  if (r.kind === 'flag') return { included: r.in_package || addons > 0, limit: null };
  const base = r.in_package ? (r.limit_value === null ? null : Number(r.limit_value)) : 0;
  const limit = base === null ? null : base + addons * Number(r.addon_unit ?? 0);
  return { included: limit === null || limit > 0, limit };
}
