import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { PlatformError, type RequestContext } from '@atrium/platform';
import { BillingError } from '../billing.errors.js';
import { BillingCustomers } from '../payments/billing-customers.js';
import { PaymentGateways } from '../payments/payment-gateways.js';
import { currentPlan, saveSubscription } from './current-plan.js';

export interface AutoRenewRequest {
  enabled: boolean;
  credentials?: { gateway: string; token: string };
}

/**
 * Auto-renewal and the saved payment method it charges. The token is attached at the gateway (to the organization's
 * customer there); Atrium keeps only the gateway's reference and the brand and last four digits to show.
 */
@Injectable()
export class AutoRenewService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly gateways: PaymentGateways,
    private readonly customers: BillingCustomers,
    private readonly audit: AuditWriter,
  ) {}

  async configure(ctx: RequestContext, r: AutoRenewRequest): Promise<void> {
    const organizationId = ctx.requireOrganizationId();
    let method: { gateway: 'sandbox' | 'stripe'; ref: string; brand: string | null; last4: string | null } | null = null;
    if (r.credentials) {
      if (!r.credentials.token) {
        throw PlatformError.validation_failed('credentials.token is required', [
          { field: 'credentials.token', problems: ['a card token or payment method id is required'] },
        ]);
      }
      const gateway = this.gateways.get(r.credentials.gateway);
      const customerRef = await this.customers.refFor(organizationId, gateway);
      const attached = await gateway.attachPaymentMethod(customerRef, r.credentials.token);
      method = { gateway: gateway.name, ref: attached.ref, brand: attached.brand, last4: attached.last4 };
    }
    await this.dataSource.transaction(async (em) => {
      const { subscription: s, pkg } = await currentPlan(em, organizationId, true);
      if (method) {
        s.paymentMethodGateway = method.gateway;
        s.paymentMethodRef = method.ref;
        s.paymentMethodBrand = method.brand;
        s.paymentMethodLast4 = method.last4;
      }
      if (r.enabled && !s.paymentMethodRef) {
        throw BillingError.payment_method_required(
          'credentials: auto-renewal needs a saved payment method; send credentials with a card token',
          {
            field: 'credentials',
          },
        );
      }
      const before = { auto_renew: s.autoRenew };
      s.autoRenew = r.enabled;
      await saveSubscription(em, s);
      await this.audit.record(em, ctx, {
        action: 'subscription.auto_renew_changed',
        resourceType: 'subscription',
        target: pkg.name,
        before,
        after: {
          auto_renew: s.autoRenew,
          payment_method: s.paymentMethodRef
            ? { gateway: s.paymentMethodGateway, brand: s.paymentMethodBrand, last4: s.paymentMethodLast4 }
            : null,
        },
      });
    });
  }
}
