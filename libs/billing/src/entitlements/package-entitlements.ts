import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock, Entitlements, type RequestContext, UsageRegistry } from '@atrium/platform';
import { type EntitlementRow, EntitlementSnapshot } from './entitlement-snapshot.js';
import { BillingError } from '../billing.errors.js';

/**
 * Every feature with what the organization's package and active add-ons (unexpired at the Clock's now) give it, in one query. An
 * organization without an active subscription gets the default (Free) package; a past-due one keeps its package
 * through the dunning grace period (renewals move it to Free when that ends).
 */
const ENTITLEMENTS_SQL = `
  WITH pkg AS (
    SELECT COALESCE(
      (SELECT s.package_id FROM organization_subscriptions s WHERE s.organization_id = $1 AND s.status IN ('active', 'past_due')),
      (SELECT p.id FROM packages p WHERE p.is_default)
    ) AS id
  )
  SELECT p.id AS package_id, p.slug AS package_slug, p.name AS package_name,
         f.id AS feature_id, f.key, f.name, f.kind, f.unit, f.addon_unit::text AS addon_unit,
         pf.feature_id IS NOT NULL AS in_package, pf.limit_value::text AS limit_value,
         COALESCE((SELECT sum(a.quantity) FROM organization_features a
                    WHERE a.organization_id = $1 AND a.feature_id = f.id AND a.status = 'active'
                      AND (a.expires_at IS NULL OR a.expires_at > $2)), 0)::int AS addon_quantity
    FROM pkg
    JOIN packages p ON p.id = pkg.id
    CROSS JOIN features f
    LEFT JOIN package_features pf ON pf.package_id = p.id AND pf.feature_id = f.id
   ORDER BY f.sort_order`;

/** The package-backed implementation of the platform's feature gate and limit checks. */
@Injectable()
export class PackageEntitlements extends Entitlements {
  constructor(
    private readonly dataSource: DataSource,
    private readonly usage: UsageRegistry,
    private readonly clock: Clock,
  ) {
    super();
  }

  /** What the organization may use now (read through `em` when inside a transaction). */
  async snapshot(organizationId: string, em: EntityManager = this.dataSource.manager): Promise<EntitlementSnapshot> {
    return EntitlementSnapshot.fromRows(await em.query<EntitlementRow[]>(ENTITLEMENTS_SQL, [organizationId, this.clock.now()]));
  }

  async assertFeature(ctx: RequestContext, feature: string): Promise<void> {
    const snapshot = await this.snapshot(ctx.requireOrganizationId());
    const f = snapshot.get(feature);
    if (f.included) return;
    const availableIn = await this.packagesWith(f.id);
    throw BillingError.feature_not_in_package(
      `The ${snapshot.pkg.name} package does not include ${f.name}` +
        (availableIn.length ? `; it comes with ${availableIn.map((p) => p.name).join(', ')}` : ''),
      { feature, package: snapshot.pkg.slug, available_in: availableIn.map((p) => p.slug) },
    );
  }

  async limit(ctx: RequestContext, resource: string): Promise<number | null> {
    const f = (await this.snapshot(ctx.requireOrganizationId())).get(resource);
    if (f.kind !== 'limit') throw new Error(`Feature "${resource}" is not a limit`);
    return f.limit;
  }

  async assertWithinLimit(
    ctx: RequestContext,
    resource: string,
    adding: number,
    em: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    const organizationId = ctx.requireOrganizationId();
    if (em.queryRunner?.isTransactionActive) {
      // Held until the caller's transaction ends: the count below and the caller's insert happen alone.
      await em.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`limit:${resource}:${organizationId}`]);
    }
    const snapshot = await this.snapshot(organizationId, em);
    const f = snapshot.get(resource);
    if (f.kind !== 'limit') throw new Error(`Feature "${resource}" is not a limit`);
    if (f.limit === null) return;
    const used = await this.usage.measure(resource, ctx, em);
    if (used + adding <= f.limit) return;
    throw BillingError.package_limit_reached(
      `The ${snapshot.pkg.name} package allows ${f.limit} ${f.unit ?? resource}; ${used} already in use. Upgrade the package or buy an add-on`,
      { resource, package: snapshot.pkg.slug, limit: f.limit, used },
    );
  }

  private async packagesWith(featureId: number): Promise<Array<{ slug: string; name: string }>> {
    return this.dataSource.query(
      `SELECT p.slug, p.name FROM packages p JOIN package_features pf ON pf.package_id = p.id
        WHERE pf.feature_id = $1 AND p.active AND (pf.limit_value IS NULL OR pf.limit_value > 0) ORDER BY p.sort_order`,
      [featureId],
    );
  }
}
