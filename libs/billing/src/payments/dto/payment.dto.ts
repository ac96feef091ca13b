import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { PageQueryDto } from '@atrium/platform';
import { IsQuoteId, QUOTE_ID_DESCRIPTION } from '../../plans/dto/quote-id.js';
import { moneyView } from '../../pricing/money.js';
import type { Payment } from '../payment.entity.js';
import type { GatewayCheckout } from '../../gateways/payment-gateway.js';

export const PERIODS = ['1_month', '3_months', '6_months', '1_year', 'custom'] as const;
export const PAYMENT_STATUSES = ['pending', 'succeeded', 'failed', 'cancelled'] as const;

export class CreatePaymentDto {
  @ApiProperty({ enum: ['sandbox', 'stripe'], example: 'sandbox', description: 'sandbox: the built-in test gateway (no keys needed)' })
  @IsIn(['sandbox', 'stripe'])
  gateway: 'sandbox' | 'stripe';

  @ApiProperty({ enum: ['package_upgrade', 'feature_purchase'], example: 'package_upgrade' })
  @IsIn(['package_upgrade', 'feature_purchase'])
  payment_type: 'package_upgrade' | 'feature_purchase';

  @ApiPropertyOptional({
    example: 190.0,
    description: 'Major units, optional: when sent it must equal the server-computed price (else 400 `amount_mismatch`)',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  amount?: number;

  @ApiPropertyOptional({ example: 'Upgrade to Platinum', description: 'Accepted for the contract; the invoice describes what is bought' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiPropertyOptional({ example: 3, description: 'package_upgrade: the package to move to' })
  @ValidateIf((o: CreatePaymentDto) => o.payment_type === 'package_upgrade' || o.package_id !== undefined)
  @IsInt()
  @Min(1)
  package_id?: number;

  @ApiPropertyOptional({ enum: PERIODS, example: '1_year', description: 'package_upgrade: the billing period' })
  @ValidateIf((o: CreatePaymentDto) => o.payment_type === 'package_upgrade' || o.period !== undefined)
  @IsIn(PERIODS)
  period?: (typeof PERIODS)[number];

  @ApiPropertyOptional({ example: 7, minimum: 1, maximum: 36, description: 'With period `custom`: how many months' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(36)
  custom_months?: number;

  @ApiPropertyOptional({ maxLength: 600, description: `${QUOTE_ID_DESCRIPTION}: locks the figure` })
  @IsOptional()
  @IsQuoteId()
  quote_id?: string;

  @ApiPropertyOptional({ example: 1, description: 'feature_purchase: the add-on feature' })
  @ValidateIf((o: CreatePaymentDto) => o.payment_type === 'feature_purchase' || o.feature_id !== undefined)
  @IsInt()
  @Min(1)
  feature_id?: number;

  @ApiPropertyOptional({
    example: 1,
    minimum: 1,
    maximum: 100,
    default: 1,
    description: 'feature_purchase: how many units of a limit add-on',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  quantity?: number;
}

export class VerifyPaymentDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  payment_id: string;

  @ApiProperty({ example: 'sbx_ch_…', description: "The gateway's transaction id the payment was created with" })
  @IsString()
  @MaxLength(255)
  transaction_id: string;
}

export class PaymentQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: PAYMENT_STATUSES })
  @IsOptional()
  @IsIn(PAYMENT_STATUSES)
  status?: (typeof PAYMENT_STATUSES)[number];
}

export class MoneyDto {
  @ApiProperty({ example: 190, description: 'Major units (display only)' }) amount: number;
  @ApiProperty({ example: 19000, description: 'Minor units: the exact figure' }) amount_minor: number;
  @ApiProperty({ example: 'USD' }) currency: string;
}

export class PaymentLineDto {
  @ApiProperty() description: string;
  @ApiProperty({ example: 1 }) quantity: number;
  @ApiProperty({ example: 19000 }) unit_minor: number;
  @ApiProperty({ example: 19000 }) total_minor: number;
}

export class PaymentDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: PAYMENT_STATUSES }) status: string;
  @ApiProperty({ enum: ['sandbox', 'stripe', 'external'], description: '`external`: an invoice a partner payment service reported paid' })
  gateway: string;
  @ApiProperty({ enum: ['package_upgrade', 'feature_purchase', 'renewal', 'external_invoice'] }) payment_type: string;
  @ApiProperty({ example: 190 }) amount: number;
  @ApiProperty({ example: 19000 }) amount_minor: number;
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty() description: string;
  @ApiProperty({ type: [PaymentLineDto] }) lines: PaymentLineDto[];
  @ApiProperty({
    description: 'What the payment buys (applied when it succeeds)',
    example: { kind: 'package', package_id: 3, period: '1_year' },
  })
  purchase: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: String, example: 'sbx_ch_…' }) transaction_id: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Sandbox, or Stripe Checkout: the page the payer pays on' })
  checkout_url: string | null;
  @ApiPropertyOptional({ description: 'Stripe PaymentIntents, only in the answer that creates the payment: what Stripe.js confirms with' })
  client_secret?: string;
  @ApiProperty({ nullable: true, type: String, example: 'card_declined' }) failure_code: string | null;
  @ApiProperty({ nullable: true, type: String }) failure_message: string | null;
  @ApiProperty({ nullable: true, type: String }) succeeded_at: string | null;
  @ApiProperty({ nullable: true, type: String }) failed_at: string | null;
  @ApiProperty() created_at: string;

  static from(p: Payment, checkout?: GatewayCheckout): PaymentDto {
    const money = moneyView({ amountMinor: p.amountMinor, currency: p.currency });
    return {
      id: p.id,
      status: p.status,
      gateway: p.gateway,
      payment_type: p.paymentType,
      amount: money.amount,
      amount_minor: money.amount_minor,
      currency: money.currency,
      description: p.description,
      lines: p.lines.map((l) => ({ description: l.description, quantity: l.quantity, unit_minor: l.unitMinor, total_minor: l.totalMinor })),
      purchase: snakePurchase(p.purchase),
      transaction_id: p.transactionId,
      checkout_url: p.checkoutUrl,
      ...(checkout?.clientSecret ? { client_secret: checkout.clientSecret } : {}),
      failure_code: p.failureCode,
      failure_message: p.failureMessage,
      succeeded_at: p.succeededAt?.toISOString() ?? null,
      failed_at: p.failedAt?.toISOString() ?? null,
      created_at: p.createdAt.toISOString(),
    };
  }
}

function snakePurchase(purchase: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(purchase).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]));
}

export class VerifiedPaymentDto extends PaymentDto {
  @ApiProperty({ enum: ['succeeded', 'failed', 'cancelled', 'still_pending', 'already_final', 'charge_mismatch'] })
  outcome: string;
}

export class PaymentWebhookReceiptDto {
  @ApiProperty({ example: true }) received: boolean;
  @ApiProperty({ example: 'evt_…' }) event_id: string;
  @ApiProperty({ example: 'payment_intent.succeeded' }) type: string;
  @ApiProperty({ description: 'The event was stored by an earlier delivery' }) duplicate: boolean;
  @ApiProperty({
    example: 'succeeded',
    description: 'What processing did: succeeded, failed, already_final, unknown_payment, ignored, processed_before, …',
  })
  outcome: string;
}
