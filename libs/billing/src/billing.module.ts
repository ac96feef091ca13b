import { type DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig, Entitlements } from '@atrium/platform';
import { OrganizationsModule } from '@atrium/organizations';
import { BillingConfig, loadBillingConfig } from './billing.config.js';
import { PackageCatalogueService } from './catalogue/package-catalogue.service.js';
import { PackagesController } from './catalogue/packages.controller.js';
import { PackageEntitlements } from './entitlements/package-entitlements.js';
import { SandboxGatewayModule } from './gateways/sandbox/sandbox-gateway.module.js';
import { DefaultSubscriptionStep } from './subscriptions/default-subscription.step.js';
import { OrganizationPackageController } from './subscriptions/organization-package.controller.js';
import { OrganizationPackageService } from './subscriptions/organization-package.service.js';

/**
 * The package catalogue, each organization's subscription, and the `Entitlements` every library's
 * feature gate and limit checks use (global, so `@RequiresFeature` works in any module). `register` adds the
 * parts with queue workers, which run only where `workers` is true (like MailModule).
 */
@Global()
@Module({
  imports: [OrganizationsModule],
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
export class BillingModule {
  static register(opts: { workers: boolean }): DynamicModule {
    return { module: BillingModule, imports: [SandboxGatewayModule.register(opts)], exports: [SandboxGatewayModule] };
  }
}
