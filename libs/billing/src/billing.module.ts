import { type DynamicModule, Global, Module } from '@nestjs/common';
import { AuditModule } from '@atrium/audit';
import { AppConfig, Clock, Entitlements } from '@atrium/platform';
import { OrganizationsModule } from '@atrium/organizations';
import { BillingConfig, loadBillingConfig } from './billing.config.js';
import { BillingNotifications } from './billing.notifications.js';
import { PackageCatalogueService } from './catalogue/package-catalogue.service.js';
import { PackagesController } from './catalogue/packages.controller.js';
import { ExternalBillingHandlers } from './external/external-billing-handlers.js';
import { ExternalSubscriptionReader } from './external/external-subscription-reader.js';
import { ExternalSubscriptionsController } from './external/external-subscriptions.controller.js';
import { PackageEntitlements } from './entitlements/package-entitlements.js';
import { PAYMENT_GATEWAYS, type PaymentGateway } from './gateways/payment-gateway.js';
import { SandboxGatewayModule } from './gateways/sandbox/sandbox-gateway.module.js';
import { SandboxGateway } from './gateways/sandbox/sandbox.gateway.js';
import { StripeGateway } from './gateways/stripe/stripe.gateway.js';
import { InvoicesModule } from './invoices/invoices.module.js';
import { BillingCustomers } from './payments/billing-customers.js';
import { PaymentGateways } from './payments/payment-gateways.js';
import { PaymentMails } from './payments/payment-mails.js';
import { PaymentSettlement } from './payments/payment-settlement.js';
import { PaymentWebhooksController } from './payments/payment-webhooks.controller.js';
import { PaymentWebhooks } from './payments/payment-webhooks.service.js';
import { PaymentService } from './payments/payment.service.js';
import { PaymentsController } from './payments/payments.controller.js';
import { PurchaseActivator, PurchasePricer } from './payments/purchase.js';
import { StripeTestEvents } from './payments/stripe-test-events.js';
import { AddonService } from './plans/addon.service.js';
import { AutoRenewService } from './plans/auto-renew.service.js';
import { PlanActivator } from './plans/plan-activator.js';
import { PlanChangeService } from './plans/plan-change.service.js';
import { PlanPricer } from './plans/plan-pricer.js';
import { PlansController } from './plans/plans.controller.js';
import { QuoteService } from './plans/quote.service.js';
import { RenewalsModule } from './renewals/renewals.module.js';
import { DefaultSubscriptionStep } from './subscriptions/default-subscription.step.js';
import { OrganizationPackageController } from './subscriptions/organization-package.controller.js';
import { OrganizationPackageService } from './subscriptions/organization-package.service.js';

/**
 * The package catalogue, each organization's subscription, and the `Entitlements` every library's
 * feature gate and limit checks use (global, so `@RequiresFeature` works in any module); plans (quotes, package
 * changes, add-ons, auto-renewal) and payments (gateways, callbacks, settlement) on top. `register` adds the
 * parts with queue workers (sandbox callbacks, the renewal scan), which run only where `workers` is true (like MailModule).
 */
@Global()
@Module({
  imports: [OrganizationsModule, AuditModule, InvoicesModule],
  controllers: [
    PackagesController,
    OrganizationPackageController,
    PlansController,
    PaymentsController,
    PaymentWebhooksController,
    ExternalSubscriptionsController,
  ],
  providers: [
    { provide: BillingConfig, useFactory: (app: AppConfig) => loadBillingConfig(app), inject: [AppConfig] },
    PackageCatalogueService,
    PackageEntitlements,
    // Partner webhooks: paid invoices and subscriptions (the handlers go into the kernel's WebhookHandlerRegistry).
    ExternalBillingHandlers,
    ExternalSubscriptionReader,
    { provide: Entitlements, useExisting: PackageEntitlements },
    OrganizationPackageService,
    DefaultSubscriptionStep,
    // Plans
    QuoteService,
    PlanPricer,
    { provide: PurchasePricer, useExisting: PlanPricer },
    PlanActivator,
    { provide: PurchaseActivator, useExisting: PlanActivator },
    PlanChangeService,
    AddonService,
    AutoRenewService,
    // Payments
    {
      provide: PAYMENT_GATEWAYS,
      useFactory: (config: BillingConfig, sandbox: SandboxGateway, clock: Clock): PaymentGateway[] => [
        ...(config.sandbox ? [sandbox] : []),
        ...(config.stripe ? [new StripeGateway(config, clock)] : []),
      ],
      inject: [BillingConfig, SandboxGateway, Clock],
    },
    PaymentGateways,
    BillingCustomers,
    PaymentSettlement,
    PaymentService,
    PaymentWebhooks,
    PaymentMails,
    StripeTestEvents,
    BillingNotifications,
  ],
  exports: [
    BillingConfig,
    Entitlements,
    PackageEntitlements,
    PackageCatalogueService,
    PlanActivator,
    PurchaseActivator,
    PurchasePricer,
    PaymentService,
    PaymentGateways,
    PaymentSettlement,
  ],
})
export class BillingModule {
  static register(opts: { workers: boolean }): DynamicModule {
    return {
      module: BillingModule,
      imports: [SandboxGatewayModule.register(opts), RenewalsModule.register(opts)],
      exports: [SandboxGatewayModule, RenewalsModule],
    };
  }
}
