import { defineErrors } from '@atrium/platform';

/** Packages and their entitlements. */
export const BillingError = defineErrors('billing', {
  feature_not_in_package: { kind: 'forbidden', message: 'The package does not include this feature' },
  package_limit_reached: { kind: 'forbidden', message: 'The package limit is reached; upgrade the package or buy an add-on' },
  invoice_not_found: { kind: 'not_found', message: 'This payment has no invoice: it has not succeeded, or it is not yours' },
});
