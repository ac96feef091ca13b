import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { Trimmed, TrimmedLowercase } from '@atrium/platform';

export class UpdateOrganizationDto {
  @ApiPropertyOptional({ example: 'Acme Corp', minLength: 2, maxLength: 120 })
  @IsOptional()
  @Trimmed()
  @IsString()
  @MinLength(2)
  @MaxLength(120)
  name?: string;

  @ApiPropertyOptional({ example: 'contact@acme.com', nullable: true, type: String, description: '`null` clears it' })
  @ValidateIf((_, v) => v !== undefined && v !== null)
  @TrimmedLowercase()
  @IsEmail()
  @MaxLength(254)
  email?: string | null;

  @ApiPropertyOptional({ example: '+14155550123', nullable: true, type: String, description: 'E.164; `null` clears it' })
  @ValidateIf((_, v) => v !== undefined && v !== null)
  @Matches(/^\+[1-9]\d{6,14}$/, { message: 'phone must be an E.164 number such as +14155550123' })
  phone?: string | null;
}

export class CreateOrganizationDto {
  @ApiProperty({ example: 'Beta Inc', minLength: 2, maxLength: 120 })
  @Trimmed()
  @IsString()
  @MinLength(2)
  @MaxLength(120)
  name: string;

  @ApiPropertyOptional({ example: 'contact@beta.example' })
  @IsOptional()
  @TrimmedLowercase()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ example: '+14155550123' })
  @IsOptional()
  @Matches(/^\+[1-9]\d{6,14}$/, { message: 'phone must be an E.164 number such as +14155550123' })
  phone?: string;
}

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{1,46})[a-z0-9]$/;

export class UpdateSlugDto {
  @ApiProperty({ example: 'acme', minLength: 3, maxLength: 48, description: 'Lowercase letters, digits and inner hyphens; unique' })
  @IsString()
  @Matches(SLUG_PATTERN, { message: 'slug must be 3–48 lowercase letters, digits or hyphens, starting and ending with a letter or digit' })
  slug: string;
}
