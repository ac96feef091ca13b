import { Feature } from './catalogue/feature.entity.js';
import { Package, PackageFeature, PackagePrice } from './catalogue/package.entity.js';
import { BillingCustomer, Payment, PaymentEvent } from './payments/payment.entity.js';
import { BillingQuote } from './plans/quote.entity.js';
import { BillingRenewal } from './renewals/billing-renewal.entity.js';
import { BillingProfile } from './invoices/billing-profile.entity.js';
import { Invoice } from './invoices/invoice.entity.js';
import { OrganizationFeature, OrganizationSubscription } from './subscriptions/organization-subscription.entity.js';

export const BILLING_ENTITIES = [
  Feature,
  Package,
  PackagePrice,
  PackageFeature,
  OrganizationSubscription,
  OrganizationFeature,
  BillingQuote,
  Payment,
  PaymentEvent,
  BillingCustomer,
  BillingProfile,
  Invoice,
  BillingRenewal,
];
