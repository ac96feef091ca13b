import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsOptional, IsString, IsUrl, Matches, MaxLength, MinLength } from 'class-validator';
import { Trimmed, TrimmedLowercase } from '@atrium/platform';
import { SIGNATURE_SCHEMES, type SignatureSchemeName } from '../../signatures/signature-scheme.js';
import type { WebhookProvider } from '../webhook-provider.entity.js';

const NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const EVENT_TYPE = /^[A-Za-z0-9_.:*-]{1,100}$/;

class ProviderFieldsDto {
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'http://localhost:8000/api/mock',
    description: 'Where the service answers (its health check, data pages)',
  })
  @IsOptional()
  @Trimmed()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'base_url must be an http(s) URL' })
  @MaxLength(2000)
  base_url?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: '/health', description: 'Path of its health check under base_url' })
  @IsOptional()
  @Trimmed()
  @Matches(/^\/[^\s]*$/, { message: 'health_path must start with /' })
  @MaxLength(500)
  health_path?: string | null;

  @ApiPropertyOptional({
    type: [String],
    example: ['user.created', 'user.updated'],
    description: 'The event types this provider sends; events of other types are stored and marked `ignored`. Empty: any type',
  })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(100)
  @Matches(EVENT_TYPE, { each: true, message: 'each value in event_types must be 1–100 letters, digits or _.:*-' })
  event_types?: string[];
}

export class CreateProviderDto extends ProviderFieldsDto {
  @ApiProperty({ example: 'user-service', description: 'A slug unique in the organization: it names the provider in webhook URLs' })
  @TrimmedLowercase()
  @IsString()
  @Matches(NAME, { message: 'name must be a slug: lowercase letters, digits and inner hyphens, at most 63 characters' })
  name: string;

  @ApiProperty({ enum: SIGNATURE_SCHEMES, description: 'How the provider signs its webhooks (see the README)' })
  @IsIn(SIGNATURE_SCHEMES)
  signature_scheme: SignatureSchemeName;

  @ApiPropertyOptional({
    description:
      'The signing secret the provider already uses; omit it to have one generated. standard-webhooks: `whsec_<base64>`; others: 24–256 characters. Shown once, never read back',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  secret?: string;
}

export class UpdateProviderDto extends ProviderFieldsDto {
  @ApiPropertyOptional({ example: 'user-service', description: 'A new name: senders must use the new URL from now on' })
  @IsOptional()
  @TrimmedLowercase()
  @IsString()
  @Matches(NAME, { message: 'name must be a slug: lowercase letters, digits and inner hyphens, at most 63 characters' })
  name?: string;
}

export class RotateSecretDto {
  @ApiPropertyOptional({ description: 'The new secret; omit it to have one generated (same format rules as on creation)' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  secret?: string;
}

export class ProviderDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'user-service' }) name: string;
  @ApiProperty({ nullable: true, type: String }) base_url: string | null;
  @ApiProperty({ nullable: true, type: String }) health_path: string | null;
  @ApiProperty({ enum: SIGNATURE_SCHEMES }) signature_scheme: SignatureSchemeName;
  @ApiProperty({ type: [String] }) event_types: string[];
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) secret_rotated_at: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'Until when the secret before the last rotation still verifies (null: only the current one does)',
  })
  previous_secret_expires_at: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;

  static from(p: WebhookProvider, now = new Date()): ProviderDto {
    const iso = (d: Date | null) => d?.toISOString() ?? null;
    const previousLive = p.previousSecretExpiresAt && p.previousSecretExpiresAt > now ? p.previousSecretExpiresAt : null;
    return {
      id: p.id,
      name: p.name,
      base_url: p.baseUrl,
      health_path: p.healthPath,
      signature_scheme: p.signatureScheme,
      event_types: p.eventTypes,
      secret_rotated_at: iso(p.secretRotatedAt),
      previous_secret_expires_at: iso(previousLive),
      created_at: p.createdAt.toISOString(),
      updated_at: p.updatedAt.toISOString(),
    };
  }
}

export class ProviderWithSecretDto extends ProviderDto {
  @ApiProperty({ description: 'The signing secret, shown this once: store it in the sending service now' }) secret: string;
}
