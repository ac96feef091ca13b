import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsISO31661Alpha2, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { Trimmed, TrimmedLowercase } from '@atrium/platform';
import type { BillingDetailsSnapshot } from '../invoice.entity.js';

/** Trimmed; an empty string means "none" (null), like leaving the field out. */
const blankToNull = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim();
  return v === '' ? null : v;
};

/** An optional text field: trimmed, blank or null clears it, otherwise a string of at most `max` characters. */
const OptionalText = (max: number) =>
  applyDecorators(
    Transform(blankToNull),
    ValidateIf((_, v) => v !== undefined && v !== null),
    IsString(),
    MaxLength(max),
  );

/** The organization's billing details (PUT replaces them all: a field left out is cleared). */
export class UpdateBillingDetailsDto {
  @ApiProperty({ example: 'Żółty Młyn sp. z o.o.', minLength: 2, maxLength: 200, description: 'The name invoices are made out to' })
  @Trimmed()
  @IsString()
  @MinLength(2)
  @MaxLength(200)
  legal_name: string;

  @ApiProperty({ example: 'billing@zolty-mlyn.example', maxLength: 254, description: 'Where invoices and receipts go' })
  @TrimmedLowercase()
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiPropertyOptional({ example: 'ul. Łąkowa 7', nullable: true, type: String, maxLength: 200 })
  @OptionalText(200)
  address_line1?: string | null;

  @ApiPropertyOptional({ example: 'lok. 12', nullable: true, type: String, maxLength: 200 })
  @OptionalText(200)
  address_line2?: string | null;

  @ApiPropertyOptional({ example: '00-950', nullable: true, type: String, maxLength: 20 })
  @OptionalText(20)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9 -]*$/, { message: 'postal_code may hold only letters, digits, spaces and hyphens' })
  postal_code?: string | null;

  @ApiPropertyOptional({ example: 'Łódź', nullable: true, type: String, maxLength: 100 })
  @OptionalText(100)
  city?: string | null;

  @ApiPropertyOptional({ example: 'PL', nullable: true, type: String, description: 'ISO 3166-1 alpha-2 country code' })
  @Transform(({ value }: { value: unknown }) => {
    const v = blankToNull({ value });
    return typeof v === 'string' ? v.toUpperCase() : v;
  })
  @ValidateIf((_, v) => v !== undefined && v !== null)
  @IsISO31661Alpha2({ message: 'country must be an ISO 3166-1 alpha-2 code such as PL or DE' })
  country?: string | null;

  @ApiPropertyOptional({ example: 'PL5261040828', nullable: true, type: String, maxLength: 50, description: 'VAT or other tax number' })
  @OptionalText(50)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9 ./-]*$/, { message: 'tax_id may hold only letters, digits, spaces, dots, slashes and hyphens' })
  tax_id?: string | null;
}

/** The billing details invoices use; until they are set, the organization's name and email. */
export class BillingDetailsDto {
  @ApiProperty({ example: 'Żółty Młyn sp. z o.o.' }) legal_name: string;
  @ApiProperty({ nullable: true, type: String, example: 'billing@zolty-mlyn.example' }) email: string | null;
  @ApiProperty({ nullable: true, type: String }) address_line1: string | null;
  @ApiProperty({ nullable: true, type: String }) address_line2: string | null;
  @ApiProperty({ nullable: true, type: String }) postal_code: string | null;
  @ApiProperty({ nullable: true, type: String }) city: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'PL' }) country: string | null;
  @ApiProperty({ nullable: true, type: String }) tax_id: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'null while the defaults (organization name and email) apply' })
  updated_at: string | null;

  static from(details: BillingDetailsSnapshot, updatedAt: Date | null): BillingDetailsDto {
    return { ...details, updated_at: updatedAt?.toISOString() ?? null };
  }
}
