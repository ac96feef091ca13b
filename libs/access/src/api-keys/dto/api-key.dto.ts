import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsDateString, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { ALL_PERMISSIONS } from '@atrium/organizations';
import { Trimmed } from '@atrium/platform';
import type { ApiKey } from '../api-key.entity.js';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'CRM sync', maxLength: 100 })
  @Trimmed()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @ApiPropertyOptional({
    type: [String],
    enum: ALL_PERMISSIONS,
    example: ['users.view'],
    description: 'Defaults to all of your own permissions; may not include any you do not hold',
  })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(ALL_PERMISSIONS.length)
  @IsIn(ALL_PERMISSIONS, { each: true, message: 'each value in permissions must be a known permission' })
  permissions?: string[];

  @ApiPropertyOptional({ format: 'date-time', description: 'When the key stops working; must be in the future. Omit for no expiry' })
  @IsOptional()
  @IsDateString({ strict: true })
  expires_at?: string;
}

export class ApiKeyDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'CRM sync' }) name: string;
  @ApiProperty({ example: 'atr_1f2e3d4c', description: 'The start of the key, to recognise it; not a secret' }) prefix: string;
  @ApiProperty({ type: [String], example: ['users.view'] }) permissions: string[];
  @ApiProperty({ enum: ['active', 'expired', 'revoked'] }) status: 'active' | 'expired' | 'revoked';
  @ApiProperty({
    format: 'uuid',
    description:
      'The account the key acts for, whose current role caps it: its creator, or whoever last rotated it (and so holds its secret)',
  })
  created_by: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) expires_at: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'Updated at most once a minute' })
  last_used_at: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) rotated_at: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) revoked_at: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;

  static from(k: ApiKey): ApiKeyDto {
    const iso = (d: Date | null) => d?.toISOString() ?? null;
    return {
      id: k.id,
      name: k.name,
      prefix: k.prefix,
      permissions: [...k.permissions].sort(),
      status: k.revokedAt ? 'revoked' : k.expiresAt && k.expiresAt <= new Date() ? 'expired' : 'active',
      created_by: k.createdBy,
      expires_at: iso(k.expiresAt),
      last_used_at: iso(k.lastUsedAt),
      rotated_at: iso(k.rotatedAt),
      revoked_at: iso(k.revokedAt),
      created_at: k.createdAt.toISOString(),
    };
  }
}

/** The one response that carries the key itself (creation and rotation). */
export class ApiKeySecretDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'CRM sync' }) name: string;
  @ApiProperty({ example: 'atr_1f2e3d4c_3q2+…', description: 'Send as `x-api-key`. Shown only in this response' }) key: string;
  @ApiProperty({ example: 'atr_1f2e3d4c' }) prefix: string;
  @ApiProperty({ type: [String] }) permissions: string[];
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) expires_at: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;

  static from(k: ApiKey, key: string): ApiKeySecretDto {
    return {
      id: k.id,
      name: k.name,
      key,
      prefix: k.prefix,
      permissions: [...k.permissions].sort(),
      expires_at: k.expiresAt?.toISOString() ?? null,
      created_at: k.createdAt.toISOString(),
    };
  }
}

export class CurrentApiKeyDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) organization_id: string;
  @ApiProperty() name: string;
  @ApiProperty() prefix: string;
  @ApiProperty({
    type: [String],
    description: "What this request may do: the key's permissions within the current ones of the account it acts for",
  })
  effective_permissions: string[];
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) expires_at: string | null;

  /** `permissions`: what the request made with this key may do now. */
  static from(k: ApiKey, permissions: Iterable<string>): CurrentApiKeyDto {
    return {
      id: k.id,
      organization_id: k.organizationId,
      name: k.name,
      prefix: k.prefix,
      effective_permissions: [...permissions].sort(),
      expires_at: k.expiresAt?.toISOString() ?? null,
    };
  }
}
