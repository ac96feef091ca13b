import { Inject, Injectable } from '@nestjs/common';
import { BillingError } from '../billing.errors.js';
import { PAYMENT_GATEWAYS, type PaymentGateway } from '../gateways/payment-gateway.js';

/** The configured gateways by name: the sandbox (outside production, or with SANDBOX_PAYMENTS), Stripe with its key. */
@Injectable()
export class PaymentGateways {
  private readonly byName: ReadonlyMap<string, PaymentGateway>;

  constructor(@Inject(PAYMENT_GATEWAYS) gateways: PaymentGateway[]) {
    this.byName = new Map(gateways.map((g) => [g.name, g]));
  }

  /** The gateway, or 400 `gateway_unavailable` naming it. */
  get(name: string): PaymentGateway {
    const gateway = this.byName.get(name);
    if (!gateway) {
      throw BillingError.gateway_unavailable(`The ${name} payment gateway is not configured here`, {
        gateway: name,
        available: [...this.byName.keys()],
      });
    }
    return gateway;
  }

  find(name: string): PaymentGateway | undefined {
    return this.byName.get(name);
  }
}
