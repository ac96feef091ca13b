import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
export const normalizeEmail = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);

export class RegisterOrganizationDto {
  @ApiProperty({ example: 'Acme Corp' })
  @Transform(trim)
  @IsString()
  @MinLength(2)
  @MaxLength(120)
  organization_name: string;

  @ApiPropertyOptional({ example: 'contact@acme.com' })
  @IsOptional()
  @Transform(normalizeEmail)
  @IsEmail()
  @MaxLength(254)
  organization_email?: string;

  @ApiProperty({ example: 'John' })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  first_name: string;

  @ApiProperty({ example: 'Doe' })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  last_name: string;

  @ApiProperty({ example: 'john@acme.com' })
  @Transform(normalizeEmail)
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'SecurePassword123!', writeOnly: true, description: 'At least 8 characters and not a common password' })
  @IsString()
  @MaxLength(1024)
  password: string;
}

export class RegisteredDto {
  @ApiProperty({ example: 'Organization registered successfully' }) message: string;
  @ApiProperty({ format: 'uuid' }) user_id: string;
  @ApiProperty({ format: 'uuid' }) organization_id: string;
}
