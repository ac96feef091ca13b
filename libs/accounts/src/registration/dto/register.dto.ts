import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { Trimmed, TrimmedLowercase } from '@atrium/platform';
import { PersonName } from '../../users/dto/person-name.js';

export class RegisterOrganizationDto {
  @ApiProperty({ example: 'Acme Corp' })
  @Trimmed()
  @IsString()
  @MinLength(2)
  @MaxLength(120)
  organization_name: string;

  @ApiPropertyOptional({ example: 'contact@acme.com' })
  @IsOptional()
  @TrimmedLowercase()
  @IsEmail()
  @MaxLength(254)
  organization_email?: string;

  @PersonName({ example: 'John', required: true })
  first_name: string;

  @PersonName({ example: 'Doe', required: true })
  last_name: string;

  @ApiProperty({ example: 'john@acme.com' })
  @TrimmedLowercase()
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
