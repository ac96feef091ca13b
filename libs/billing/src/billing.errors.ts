import { defineErrors } from '@atrium/platform';

/** Packages and their entitlements; payment gateways. */
export const BillingError = defineErrors('billing', {
  feature_not_in_package: { kind: 'forbidden', message: 'The package does not include this feature' },
  package_limit_reached: { kind: 'forbidden', message: 'The package limit is reached; upgrade the package or buy an add-on' },
  webhook_signature_invalid: {
    kind: 'bad_request',
    message: 'The callback signature is missing, invalid or outside the allowed time window',
  },
  payment_method_invalid: { kind: 'bad_request', message: 'The payment method token is not one this gateway knows' },
  payment_method_declined: { kind: 'unprocessable', message: 'The card was declined; use another payment method' },
  idempotency_key_reused: { kind: 'conflict', message: 'This idempotency key was already used for a different request' },
  gateway_unreachable: { kind: 'unavailable', message: 'The payment gateway did not answer; try again shortly' },
});
