import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Organization } from '@atrium/organizations';
import type { PaymentGateway } from '../gateways/payment-gateway.js';
import { BillingCustomer } from './payment.entity.js';

/** Each organization's customer at each gateway: created at the gateway once (its idempotency covers a race), then stored. */
@Injectable()
export class BillingCustomers {
  constructor(private readonly dataSource: DataSource) {}

  async refFor(organizationId: string, gateway: PaymentGateway): Promise<string> {
    const repo = this.dataSource.getRepository(BillingCustomer);
    const known = await repo.findOneBy({ organizationId, gateway: gateway.name });
    if (known) return known.customerRef;
    const org = await this.dataSource.getRepository(Organization).findOneByOrFail({ id: organizationId });
    const ref = await gateway.createCustomer({ organizationId, name: org.name, email: org.email });
    await this.dataSource.query(
      `INSERT INTO billing_customers (organization_id, gateway, customer_ref) VALUES ($1, $2, $3) ON CONFLICT (organization_id, gateway) DO NOTHING`,
      [organizationId, gateway.name, ref],
    );
    return (await repo.findOneByOrFail({ organizationId, gateway: gateway.name })).customerRef;
  }
}
