import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { Clock, notFound, type RequestContext, TenantRepository } from '@atrium/platform';
import { DataSource } from 'typeorm';
import { BillingConfig } from '../billing.config.js';
import { verifyStripeEvent } from '../gateways/stripe/stripe-event.js';
import { Payment } from './payment.entity.js';
import { PaymentWebhooks, type WebhookReceipt } from './payment-webhooks.service.js';

export const STRIPE_TEST_EVENT_TYPES = ['payment_intent.succeeded', 'payment_intent.payment_failed', 'customer.updated'] as const;

/**
 * `POST /webhooks/test/stripe`: a sample Stripe event, signed with the configured webhook secret (in development the
 * generated one) and sent through the real verification, storage and processing. Naming one of the organization's
 * Stripe payments makes the event about its PaymentIntent: processing still re-reads the truth from Stripe.
 */
@Injectable()
export class StripeTestEvents {
  private readonly payments: TenantRepository<Payment>;

  constructor(
    dataSource: DataSource,
    private readonly config: BillingConfig,
    private readonly webhooks: PaymentWebhooks,
    private readonly clock: Clock,
  ) {
    this.payments = TenantRepository.for(dataSource, Payment, 'Payment');
  }

  /** Refused (404, as if absent) in production unless STRIPE_TEST_EVENTS=true. */
  assertAvailable(): void {
    if (this.config.production && !this.config.stripeTestEvents) throw notFound('Route');
  }

  async send(ctx: RequestContext, input: { type: string; paymentId?: string }): Promise<WebhookReceipt> {
    this.assertAvailable();
    const payment = input.paymentId ? await this.payments.getById(ctx, input.paymentId) : null;
    const now = this.clock.now();
    const intent = payment?.gateway === 'stripe' && payment.transactionId?.startsWith('pi_') ? payment.transactionId : `pi_test_${hex(12)}`;
    const event = {
      id: `evt_test_${hex(12)}`,
      object: 'event',
      api_version: null,
      created: Math.floor(now.getTime() / 1000),
      livemode: false,
      type: input.type,
      data: {
        object: input.type.startsWith('payment_intent.')
          ? {
              id: intent,
              object: 'payment_intent',
              amount: payment?.amountMinor ?? 1000,
              currency: (payment?.currency ?? 'usd').toLowerCase(),
              status: input.type === 'payment_intent.succeeded' ? 'succeeded' : 'requires_payment_method',
              metadata: payment ? { payment_id: payment.id, organization_id: payment.organizationId } : {},
            }
          : { id: `cus_test_${hex(8)}`, object: 'customer' },
      },
    };
    const payload = JSON.stringify(event);
    const secret = this.config.stripeWebhookSecret;
    const header = Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: Math.floor(now.getTime() / 1000) });
    return this.webhooks.receiveVerified('stripe', verifyStripeEvent(Buffer.from(payload), header, secret, now));
  }
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
