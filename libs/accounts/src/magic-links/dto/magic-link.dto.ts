import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { TrimmedLowercase } from '@atrium/platform';

export class MagicLinkRequestDto {
  @ApiProperty({ example: 'john@acme.com' })
  @TrimmedLowercase()
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Organization to sign in to; defaults to the last one used' })
  @IsOptional()
  @IsUUID()
  organization_id?: string;
}

export class MagicLinkVerifyDto {
  @ApiProperty({ description: 'The token from the mailed link', writeOnly: true })
  @IsString()
  @MaxLength(256)
  token: string;

  @ApiPropertyOptional({ example: '123456', description: 'Needed when the account has MFA on: a TOTP or backup code' })
  @IsOptional()
  @IsString()
  @MinLength(6)
  @MaxLength(32)
  mfa_code?: string;
}
