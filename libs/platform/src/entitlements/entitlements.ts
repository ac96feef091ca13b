import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../context/request-context.js';

/**
 * What an organization's package (with its add-ons) allows. The billing library implements it; any
 * library may ask without depending on billing, as the guard here does for `@RequiresFeature`.
 */
export abstract class Entitlements {
  /** Throws 403 `feature_not_in_package` unless the context's organization has the feature. */
  abstract assertFeature(ctx: RequestContext, feature: string): Promise<void>;

  /** The organization's limit of `resource` (a limit feature, e.g. `max_file_bytes`) with add-ons: a number, or null for unlimited. */
  abstract limit(ctx: RequestContext, resource: string): Promise<number | null>;

  /**
   * Throws 403 `package_limit_reached` when adding `adding` units of `resource` (a limit feature such as
   * `members`) would pass the organization's limit. Given a transaction's `em`, concurrent checks for the
   * same organization and resource wait for each other, so two requests cannot both take the last seat.
   */
  abstract assertWithinLimit(ctx: RequestContext, resource: string, adding: number, em?: EntityManager): Promise<void>;
}
