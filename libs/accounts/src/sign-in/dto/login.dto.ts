import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { TrimmedLowercase } from '@atrium/platform';
import { UserDto } from '../../users/dto/user.dto.js';
import { RoleRefDto } from '@atrium/organizations';

export class LoginDto {
  @ApiProperty({ example: 'john@acme.com' })
  @TrimmedLowercase()
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ writeOnly: true })
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  password: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Organization to sign in to; defaults to the last one used' })
  @IsOptional()
  @IsUUID()
  organization_id?: string;
}

export class VerifyMfaDto extends LoginDto {
  @ApiProperty({ example: '123456', description: 'A 6-digit code from the authenticator app, or an unused backup code' })
  @IsString()
  @MinLength(6)
  @MaxLength(32)
  mfa_code: string;
}

export class MfaRequiredDto {
  @ApiProperty({ example: true, description: 'Send the same credentials with `mfa_code` to POST /auth/verify-mfa' })
  mfa_required: true;
}

export class RefreshDto {
  @ApiProperty({ writeOnly: true })
  @IsString()
  @MaxLength(256)
  refresh_token: string;
}

export class OrganizationSummaryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) slug: string | null;
  @ApiProperty({ nullable: true, type: String }) email: string | null;
  @ApiProperty({ nullable: true, type: String }) phone: string | null;
  @ApiProperty({ type: RoleRefDto }) role: RoleRefDto;
  @ApiProperty({ type: [String], example: ['users.view'] }) permissions: string[];
}

export class TokenPairDto {
  @ApiProperty({ description: 'HS256 JWT, short-lived' }) access_token: string;
  @ApiProperty({ description: 'Opaque, single use: each refresh returns the next one' }) refresh_token: string;
}

export class LoginResponseDto extends TokenPairDto {
  @ApiProperty({ type: UserDto }) user: UserDto;
  @ApiProperty({ type: OrganizationSummaryDto }) organization: OrganizationSummaryDto;
}
