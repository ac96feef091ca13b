/** Outbox events of renewals and dunning, each written in the transaction of the outcome it announces. */
export const RENEWAL_UPCOMING = 'billing.renewal_upcoming';
export const RENEWAL_SUCCEEDED = 'billing.renewal_succeeded';
export const RENEWAL_FAILED = 'billing.renewal_failed';
export const SUBSCRIPTION_LAPSED = 'billing.subscription_lapsed';

/** Why a paid package ended and the organization moved to Free. */
export type LapseReason = 'payment_failed' | 'auto_renew_off' | 'scheduled_change';

interface RenewalEventBase {
  renewal_id: string;
  package_id: number;
  package_name: string;
  /** ISO: the end of the period being renewed. */
  period_end: string;
}

/** `billing.renewal_upcoming`: what will be charged, when, and to which card. */
export interface RenewalUpcomingPayload extends RenewalEventBase {
  amount_minor: number;
  currency: string;
  period: string;
  card_last4: string | null;
}

/** `billing.renewal_succeeded`: the period was paid for and extended. */
export interface RenewalSucceededPayload extends RenewalEventBase {
  payment_id: string;
  amount_minor: number;
  currency: string;
  attempt: number;
  renewed_until: string;
}

/** `billing.renewal_failed`: an attempt was declined; the next retry (or when the package ends) is named. */
export interface RenewalFailedPayload extends RenewalEventBase {
  payment_id: string | null;
  amount_minor: number;
  currency: string;
  attempt: number;
  failure_code: string;
  failure_message: string | null;
  /** ISO instant of the next charge attempt; null after the last one. */
  retry_at: string | null;
  /** ISO instant the organization moves to Free if nothing succeeds. */
  lapse_at: string;
}

/** `billing.subscription_lapsed`: the paid package ended; the organization is on Free from now on. */
export interface SubscriptionLapsedPayload extends RenewalEventBase {
  reason: LapseReason;
  free_package_id: number;
}
