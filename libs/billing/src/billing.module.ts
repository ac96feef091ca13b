import { Global, Module } from '@nestjs/common';
import { AppConfig, Entitlements } from '@atrium/platform';
import { OrganizationsModule } from '@atrium/organizations';
import { BillingConfig, loadBillingConfig } from './billing.config.js';
import { PackageCatalogueService } from './catalogue/package-catalogue.service.js';
import { PackagesController } from './catalogue/packages.controller.js';
import { PackageEntitlements } from './entitlements/package-entitlements.js';
import { InvoicesModule } from './invoices/invoices.module.js';
import { DefaultSubscriptionStep } from './subscriptions/default-subscription.step.js';
import { OrganizationPackageController } from './subscriptions/organization-package.controller.js';
import { OrganizationPackageService } from './subscriptions/organization-package.service.js';

/**
 * The package catalogue, each organization's subscription, and the `Entitlements` every library's
 * feature gate and limit checks use (global, so `@RequiresFeature` works in any module).
 */
@Global()
@Module({
  imports: [OrganizationsModule, InvoicesModule],
  controllers: [PackagesController, OrganizationPackageController],
  providers: [
    { provide: BillingConfig, useFactory: (app: AppConfig) => loadBillingConfig(app, app.source), inject: [AppConfig] },
    PackageCatalogueService,
    PackageEntitlements,
    { provide: Entitlements, useExisting: PackageEntitlements },
    OrganizationPackageService,
    DefaultSubscriptionStep,
  ],
  exports: [BillingConfig, Entitlements, PackageEntitlements, PackageCatalogueService],
})
export class BillingModule {}
