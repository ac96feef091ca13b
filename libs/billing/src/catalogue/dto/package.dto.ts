import { ApiProperty } from '@nestjs/swagger';
import type { Feature } from '../feature.entity.js';
import type { Package, PackagePrice } from '../package.entity.js';

export const cents = (amountCents: number) => Math.round(amountCents) / 100;

export class PriceDto {
  @ApiProperty({ example: '1_year', enum: ['1_month', '3_months', '6_months', '1_year'] }) period: string;
  @ApiProperty({ example: 12 }) months: number;
  @ApiProperty({ example: 190, description: 'In the package currency' }) amount: number;
  @ApiProperty({ example: 19000 }) amount_cents: number;

  static from(p: PackagePrice): PriceDto {
    return { period: p.period, months: p.months, amount: cents(p.amountCents), amount_cents: p.amountCents };
  }
}

/** A feature as a package includes it. */
export class PackageFeatureDto {
  @ApiProperty({ example: 2 }) id: number;
  @ApiProperty({ example: 'members' }) key: string;
  @ApiProperty({ example: 'Members' }) name: string;
  @ApiProperty({ enum: ['flag', 'limit'] }) kind: string;
  @ApiProperty({ nullable: true, type: String, example: 'members' }) unit: string | null;
  @ApiProperty({ nullable: true, type: Number, example: 25, description: 'For limits; null when unlimited (and for flags)' })
  limit: number | null;
  @ApiProperty({ description: 'A limit without a ceiling' }) unlimited: boolean;

  static from(f: Feature, limit: number | null): PackageFeatureDto {
    return { id: f.id, key: f.key, name: f.name, kind: f.kind, unit: f.unit, limit, unlimited: f.kind === 'limit' && limit === null };
  }
}

export class PackageDto {
  @ApiProperty({ example: 2 }) id: number;
  @ApiProperty({ example: 'basic' }) slug: string;
  @ApiProperty({ example: 'Basic' }) name: string;
  @ApiProperty() description: string;
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ description: 'New organizations start on this package' }) is_default: boolean;
  @ApiProperty({ type: [PriceDto] }) prices: PriceDto[];
  @ApiProperty({ type: [PackageFeatureDto], description: 'Included features; anything not listed is not included' })
  features: PackageFeatureDto[];

  static from(p: Package, prices: PriceDto[], features: PackageFeatureDto[]): PackageDto {
    return {
      id: p.id,
      slug: p.slug,
      name: p.name,
      description: p.description,
      currency: p.currency,
      is_default: p.isDefault,
      prices,
      features,
    };
  }
}

export class AddonDto {
  @ApiProperty({ nullable: true, type: Number, example: 10, description: 'How much one add-on adds to a limit; null for flags' })
  adds: number | null;
  @ApiProperty({ example: 10, description: 'Price per month' }) monthly_amount: number;
  @ApiProperty({ example: 1000 }) monthly_amount_cents: number;
}

/** A catalogue feature: what it is, which packages include it, and whether it can be bought alone. */
export class FeatureDto {
  @ApiProperty({ example: 1 }) id: number;
  @ApiProperty({ example: 'custom_slug' }) key: string;
  @ApiProperty() name: string;
  @ApiProperty() description: string;
  @ApiProperty({ enum: ['flag', 'limit'] }) kind: string;
  @ApiProperty({ nullable: true, type: String }) unit: string | null;
  @ApiProperty({ description: 'Can be bought as an add-on' }) purchasable: boolean;
  @ApiProperty({ type: AddonDto, nullable: true }) addon: AddonDto | null;
  @ApiProperty({ type: [String], example: ['basic', 'platinum', 'diamond'], description: 'Packages that include it' })
  included_in: string[];

  static from(f: Feature, includedIn: string[]): FeatureDto {
    const purchasable = f.addonMonthlyCents !== null;
    return {
      id: f.id,
      key: f.key,
      name: f.name,
      description: f.description,
      kind: f.kind,
      unit: f.unit,
      purchasable,
      addon: purchasable
        ? { adds: f.addonUnit, monthly_amount: cents(f.addonMonthlyCents!), monthly_amount_cents: f.addonMonthlyCents! }
        : null,
      included_in: includedIn,
    };
  }
}
