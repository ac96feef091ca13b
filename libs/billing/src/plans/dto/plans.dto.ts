import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { moneyView } from '../../pricing/money.js';
import { MoneyDto, PERIODS } from '../../payments/dto/payment.dto.js';
import type { Quote } from '../quote-token.js';
import { IsQuoteId, QUOTE_ID_DESCRIPTION } from './quote-id.js';

export class CalculateUpgradePriceDto {
  /** Sent on every quote, small and secret-free: the validation pipe may remember a validated body (see validation.pipe). */
  static readonly rememberValidation = true;

  @ApiProperty({ example: 3 })
  @IsInt()
  @Min(1)
  package_id: number;

  @ApiProperty({ enum: PERIODS, example: '1_year' })
  @IsIn(PERIODS)
  period: (typeof PERIODS)[number];

  @ApiPropertyOptional({
    example: 12,
    minimum: 1,
    maximum: 36,
    description: 'Required with period `custom`; else, if sent, must match the period',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(36)
  custom_months?: number;
}

export class ChangePackageDto {
  @ApiProperty({ example: 3, description: 'The package to move to (the free package: a downgrade at period end)' })
  @IsInt()
  @Min(1)
  package_id: number;

  @ApiPropertyOptional({ enum: PERIODS, example: '1_year', description: 'Required for a paid package' })
  @IsOptional()
  @IsIn(PERIODS)
  period?: (typeof PERIODS)[number];

  @ApiPropertyOptional({ example: 7, minimum: 1, maximum: 36 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(36)
  custom_months?: number;

  @ApiPropertyOptional({ maxLength: 600, description: `${QUOTE_ID_DESCRIPTION}; without it a fresh quote is made` })
  @IsOptional()
  @IsQuoteId()
  quote_id?: string;

  @ApiPropertyOptional({ enum: ['sandbox', 'stripe'], default: 'sandbox', description: 'Gateway of the payment when an amount is due' })
  @IsOptional()
  @IsIn(['sandbox', 'stripe'])
  gateway?: 'sandbox' | 'stripe';
}

export class BuyFeatureDto {
  @ApiProperty({ example: 2 })
  @IsInt()
  @Min(1)
  feature_id: number;

  @ApiPropertyOptional({ example: 1, minimum: 1, maximum: 100, default: 1, description: 'Units of a limit add-on (flags: 1)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  quantity?: number;

  @ApiPropertyOptional({ enum: ['sandbox', 'stripe'], default: 'sandbox' })
  @IsOptional()
  @IsIn(['sandbox', 'stripe'])
  gateway?: 'sandbox' | 'stripe';
}

export class AutoRenewCredentialsDto {
  @ApiProperty({ enum: ['sandbox', 'stripe'], example: 'sandbox' })
  @IsIn(['sandbox', 'stripe'])
  payment_method: 'sandbox' | 'stripe';

  @ApiPropertyOptional({
    example: 'tok_visa',
    description:
      'A card token (Stripe or sandbox) or a Stripe PaymentMethod id. Test tokens: `tok_visa` charges, `tok_chargeDeclined` is declined, ' +
      '`tok_chargeDeclinedInsufficientFunds` fails for insufficient funds.',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  token?: string;

  @ApiPropertyOptional({ example: 'tok_visa', description: 'The contract’s name for `token`' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  stripe_card_token?: string;
}

export class AutoRenewDto {
  @ApiProperty({ example: true })
  @IsBoolean()
  enabled: boolean;

  @ApiPropertyOptional({ type: AutoRenewCredentialsDto, example: { payment_method: 'sandbox', token: 'tok_visa' } })
  @IsOptional()
  @ValidateNested()
  @Type(() => AutoRenewCredentialsDto)
  credentials?: AutoRenewCredentialsDto;
}

export class QuoteDto {
  @ApiProperty({
    maxLength: 600,
    description:
      'An opaque signed token, valid 30 minutes and used once: send it with the payment or the change to lock this figure. ' +
      'Refused with 409 `quote_stale` when the subscription changed since (ask for a new one).',
  })
  quote_id: string;
  @ApiProperty({ example: 3 }) package_id: number;
  @ApiProperty({ example: '1_year' }) period: string;
  @ApiProperty({ nullable: true, type: Number }) custom_months: number | null;
  @ApiProperty({ type: MoneyDto, description: 'The price of the new period' }) list_price: MoneyDto;
  @ApiProperty({ type: MoneyDto, description: 'The unused part of the current paid period, by the second' }) credit: MoneyDto;
  @ApiProperty({ type: MoneyDto, description: 'List price less credit, never below 0' }) amount_due: MoneyDto;
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty() period_start: string;
  @ApiProperty() period_end: string;
  @ApiProperty() expires_at: string;

  static from(q: Quote): QuoteDto {
    const m = (amountMinor: number) => moneyView({ amountMinor, currency: q.currency });
    return {
      quote_id: q.token,
      package_id: q.packageId,
      period: q.period,
      custom_months: q.customMonths,
      list_price: m(q.listMinor),
      credit: m(q.creditMinor),
      amount_due: m(q.dueMinor),
      currency: q.currency,
      period_start: q.periodStart.toISOString(),
      period_end: q.periodEnd.toISOString(),
      expires_at: q.expiresAt.toISOString(),
    };
  }
}
