import { ApiProperty } from '@nestjs/swagger';
import { PackageDto } from '../../catalogue/dto/package.dto.js';

export class ScheduledChangeDto {
  @ApiProperty({ example: 1 }) package_id: number;
  @ApiProperty({ example: 'free' }) package_slug: string;
  @ApiProperty({ nullable: true, type: String, example: '1_month', description: 'null when moving to the free package' }) period:
    string | null;
  @ApiProperty({ description: 'When it applies: the end of the current period' }) effective_at: string;
}

export class PaymentMethodDto {
  @ApiProperty({ enum: ['sandbox', 'stripe'] }) gateway: string;
  @ApiProperty({ nullable: true, type: String, example: 'visa' }) brand: string | null;
  @ApiProperty({ nullable: true, type: String, example: '4242' }) last4: string | null;
}

export class SubscriptionDto {
  @ApiProperty({ enum: ['active', 'past_due', 'cancelled'] }) status: string;
  @ApiProperty({ nullable: true, type: String, example: '1_year', description: 'null on the free package' }) period: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Months of a `custom` period' }) custom_months: number | null;
  @ApiProperty() started_at: string;
  @ApiProperty({ nullable: true, type: String }) current_period_start: string | null;
  @ApiProperty({ nullable: true, type: String }) current_period_end: string | null;
  @ApiProperty({
    example: 19000,
    description: 'What the current period was bought for (minor units; the credit of an upgrade comes from it)',
  })
  amount_minor: number;
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty() auto_renew: boolean;
  @ApiProperty({
    type: PaymentMethodDto,
    nullable: true,
    description: 'The saved card auto-renewal charges (gateway reference kept, no card data)',
  })
  payment_method: PaymentMethodDto | null;
  @ApiProperty({ type: ScheduledChangeDto, nullable: true, description: 'A downgrade waiting for the period end' })
  scheduled_change: ScheduledChangeDto | null;
}

export class AddonHeldDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 2 }) feature_id: number;
  @ApiProperty({ example: 'members' }) feature_key: string;
  @ApiProperty({ example: 1 }) quantity: number;
  @ApiProperty({ nullable: true, type: String, description: 'End of the period paid for' }) expires_at: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Stopped: active until then, not renewed' }) cancel_at: string | null;
}

/** What the organization may use now, and how much of each limit it uses. */
export class EntitlementDto {
  @ApiProperty({ example: 'members' }) key: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['flag', 'limit'] }) kind: string;
  @ApiProperty({ nullable: true, type: String }) unit: string | null;
  @ApiProperty({ description: 'The package or an add-on gives it' }) included: boolean;
  @ApiProperty({ nullable: true, type: Number, description: 'Limits only: package allowance plus add-ons; null when unlimited or a flag' })
  limit: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Limits only: current usage' }) used: number | null;
}

export class OrganizationPackageDto {
  @ApiProperty({ type: PackageDto }) package: PackageDto;
  @ApiProperty({ type: SubscriptionDto }) subscription: SubscriptionDto;
  @ApiProperty({ type: [AddonHeldDto] }) addons: AddonHeldDto[];
  @ApiProperty({ type: [EntitlementDto] }) entitlements: EntitlementDto[];
}
