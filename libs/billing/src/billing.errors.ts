import { defineErrors } from '@atrium/platform';

/** Packages, their entitlements, plan changes and payments: one meaning per code. */
export const BillingError = defineErrors('billing', {
  feature_not_in_package: { kind: 'forbidden', message: 'The package does not include this feature' },
  package_limit_reached: { kind: 'forbidden', message: 'The package limit is reached; upgrade the package or buy an add-on' },

  // Plans: quotes, package changes, add-ons, auto-renewal.
  package_not_found: { kind: 'not_found', message: 'Package not found' },
  feature_not_found: { kind: 'not_found', message: 'Feature not found' },
  package_not_purchasable: { kind: 'bad_request', message: 'This package cannot be bought (free or retired)' },
  period_invalid: { kind: 'bad_request', message: 'The period or custom_months is not one this package is sold for' },
  quote_expired: { kind: 'conflict', message: 'The quote has expired; ask for a new one' },
  quote_used: { kind: 'conflict', message: 'The quote has already been used; ask for a new one' },
  quote_mismatch: { kind: 'bad_request', message: 'The quote is for another package or period' },
  quote_stale: { kind: 'conflict', message: 'The subscription changed since this quote; ask for a new one' },
  not_an_upgrade: {
    kind: 'conflict',
    message: 'This is not an upgrade of the current package; choose it with PUT /organizations/me/package',
  },
  usage_exceeds_limits: { kind: 'conflict', message: 'The organization uses more than the chosen package allows' },
  feature_not_purchasable: { kind: 'bad_request', message: 'This feature is not sold as an add-on' },
  feature_already_included: { kind: 'conflict', message: 'The package (or an active add-on) already includes this feature' },
  addon_already_cancelled: { kind: 'conflict', message: 'The add-on is already stopped at the end of its period' },
  payment_method_required: { kind: 'bad_request', message: 'Auto-renewal needs a saved payment method: send credentials' },

  // Payments.
  nothing_due: { kind: 'conflict', message: 'Nothing is due for this purchase; no payment is needed' },
  amount_mismatch: { kind: 'bad_request', message: 'The amount does not match the price the server computed' },
  transaction_mismatch: { kind: 'bad_request', message: 'The transaction id is not the one of this payment' },
  gateway_unavailable: { kind: 'bad_request', message: 'This payment gateway is not available' },
  webhook_signature_invalid: {
    kind: 'bad_request',
    message: 'The callback signature is missing, invalid or outside the allowed time window',
  },
  payment_method_invalid: { kind: 'bad_request', message: 'The payment method token is not one this gateway knows' },
  idempotency_key_reused: { kind: 'conflict', message: 'This idempotency key was already used for a different request' },
  return_url_invalid: { kind: 'bad_request', message: 'The return URL must be an absolute http(s) URL' },
  payment_method_declined: { kind: 'unprocessable', message: 'The card was declined; use another payment method' },
  amount_below_gateway_minimum: {
    kind: 'unprocessable',
    message: 'The amount is below the smallest charge this gateway accepts (Stripe: 0.50 USD or its equivalent)',
  },
  gateway_unreachable: { kind: 'unavailable', message: 'The payment gateway did not answer; try again shortly' },

  // Invoices.
  invoice_not_found: { kind: 'not_found', message: 'This payment has no invoice: it has not succeeded, or it is not yours' },
});
