import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { Trimmed, TrimmedLowercase } from '@atrium/platform';
import { PersonName } from '@atrium/accounts';

const ROLE_DOC = 'Role id or slug (`user` also names the built-in member role); defaults to the organization `default_role`';

export class CreateUserDto {
  @ApiProperty({ example: 'employee@example.com' })
  @TrimmedLowercase()
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ writeOnly: true, description: 'At least 8 characters and not a common password' })
  @IsString()
  @MaxLength(1024)
  password: string;

  @ApiPropertyOptional({ example: 'manager', description: ROLE_DOC })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  role?: string;

  @PersonName({ example: 'Jane' })
  first_name?: string;

  @PersonName({ example: 'Doe' })
  last_name?: string;
}

const ACCOUNT_DOC = 'Account field: changeable only while the account belongs to no other organization (else 409 `account_shared`)';

export class UpdateUserDto {
  @PersonName({ example: 'John', description: ACCOUNT_DOC })
  first_name?: string;

  @PersonName({ example: 'Doe', description: ACCOUNT_DOC })
  last_name?: string;

  @ApiPropertyOptional({
    example: 'newemail@example.com',
    description: `${ACCOUNT_DOC}. Waits in \`pending_email\` until the member uses the link mailed to it; the current address stays in force until then`,
  })
  @IsOptional()
  @TrimmedLowercase()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ enum: ['active', 'suspended'], description: `${ACCOUNT_DOC}. Suspending ends every session of the account` })
  @IsOptional()
  @IsIn(['active', 'suspended'])
  status?: 'active' | 'suspended';

  @ApiPropertyOptional({ example: 'manager', description: 'New role here (id or slug); only roles whose permissions you hold' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  role?: string;
}

export class RevokeUserDto {
  @ApiPropertyOptional({ example: 'Violation of terms', maxLength: 500, description: 'Kept with the membership and in the audit trail' })
  @IsOptional()
  @Trimmed()
  @IsString()
  @MaxLength(500)
  reason?: string;
}
