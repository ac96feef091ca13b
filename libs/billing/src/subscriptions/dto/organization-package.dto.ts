import { ApiProperty } from '@nestjs/swagger';
import { PackageDto } from '../../catalogue/dto/package.dto.js';

export class SubscriptionDto {
  @ApiProperty({ enum: ['active', 'past_due', 'cancelled'] }) status: string;
  @ApiProperty({ nullable: true, type: String, example: '1_year', description: 'null on the free package' }) period: string | null;
  @ApiProperty() started_at: string;
  @ApiProperty({ nullable: true, type: String }) current_period_end: string | null;
  @ApiProperty() auto_renew: boolean;
}

export class AddonHeldDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 2 }) feature_id: number;
  @ApiProperty({ example: 'members' }) feature_key: string;
  @ApiProperty({ example: 1 }) quantity: number;
  @ApiProperty({ nullable: true, type: String }) expires_at: string | null;
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
