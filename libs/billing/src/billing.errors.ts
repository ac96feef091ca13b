import { defineErrors } from '@atrium/platform';

/** Packages and their entitlements; payment gateways. */
export const BillingError = defineErrors('billing', {
  feature_not_in_package: { kind: 'forbidden', message: 'The package does not include this feature' },
  package_limit_reached: { kind: 'forbidden', message: 'The package limit is reached; upgrade the package or buy an add-on' },
  gateway_unavailable: { kind: 'bad_request', message: 'This payment gateway is not available' },
  webhook_signature_invalid: {
    kind: 'bad_request',
    message: 'The callback signature is missing, invalid or outside the allowed time window',
  },
  payment_method_invalid: { kind: 'bad_request', message: 'The payment method token is not one this gateway knows' },
  idempotency_key_reused: { kind: 'conflict', message: 'This idempotency key was already used for a different request' },
  return_url_invalid: { kind: 'bad_request', message: 'The return URL must be an absolute http(s) URL' },
});
