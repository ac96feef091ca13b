import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsDefined,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { canonicalLocale, canonicalTimeZone, WEEK_STARTS, type OrganizationSettings, type WeekStart } from '../settings.js';

const IsIanaTimeZone = () =>
  ValidateBy({
    name: 'isIanaTimeZone',
    validator: {
      validate: (v: unknown) => canonicalTimeZone(v) === v,
      defaultMessage: () => 'timezone must be an IANA time zone such as Europe/Berlin',
    },
  });

const IsSupportedLocale = () =>
  ValidateBy({
    name: 'isSupportedLocale',
    validator: {
      validate: (v: unknown) => canonicalLocale(v) === v,
      defaultMessage: () => 'locale must be a supported BCP 47 locale such as en or de-DE',
    },
  });

/** The settings a client may change; every key is optional and unknown keys are refused. */
export class OrganizationSettingsDto {
  @ApiPropertyOptional({ example: 'Europe/Berlin', description: 'IANA time zone' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => canonicalTimeZone(value) ?? value)
  @IsIanaTimeZone()
  timezone?: string;

  @ApiPropertyOptional({ example: 'de-DE', description: 'BCP 47 locale' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => canonicalLocale(value) ?? value)
  @IsSupportedLocale()
  locale?: string;

  @ApiPropertyOptional({ example: 'member', description: 'Slug of an existing role (not owner) that new members get by default' })
  @IsOptional()
  @IsString()
  @MaxLength(48)
  @Matches(/^[a-z0-9][a-z0-9_-]*$/, { message: 'default_role must be a role slug' })
  default_role?: string;

  @ApiPropertyOptional({
    description:
      'Members must turn on two-factor authentication: until they do, requests acting for this organization answer ' +
      '403 `mfa_enrollment_required`, except MFA setup, their own account and sessions, the organization list and switch, ' +
      'and logout; sockets are refused. Takes effect and lifts on the next request. API keys are not affected. ' +
      'Turning it on needs two-factor authentication on your own account (409 `own_mfa_required`).',
  })
  @IsOptional()
  @IsBoolean()
  mfa_required?: boolean;

  @ApiPropertyOptional({ enum: WEEK_STARTS })
  @IsOptional()
  @IsIn(WEEK_STARTS)
  week_starts_on?: WeekStart;
}

export class UpdateSettingsDto {
  @ApiProperty({ type: OrganizationSettingsDto, description: 'Keys to change; keys left out keep their value' })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => OrganizationSettingsDto)
  settings: OrganizationSettingsDto;
}

/** Every setting, resolved over the defaults. */
export class OrganizationSettingsView implements OrganizationSettings {
  @ApiProperty({ example: 'UTC' }) timezone: string;
  @ApiProperty({ example: 'en' }) locale: string;
  @ApiProperty({ example: 'member' }) default_role: string;
  @ApiProperty() mfa_required: boolean;
  @ApiProperty({ enum: WEEK_STARTS }) week_starts_on: WeekStart;
}
