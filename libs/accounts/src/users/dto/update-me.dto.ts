import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, IsUrl, Matches, MaxLength, MinLength } from 'class-validator';
import { TrimmedLowercase } from '@atrium/platform';
import { PersonName } from './person-name.js';

export class UpdateMeDto {
  @PersonName({ example: 'Jane' })
  first_name?: string;

  @PersonName({ example: 'Doe' })
  last_name?: string;

  @ApiPropertyOptional({ example: '+14155550123', description: 'E.164 phone number' })
  @IsOptional()
  @Matches(/^\+[1-9]\d{6,14}$/, { message: 'phone must be an E.164 number such as +14155550123' })
  phone?: string;

  @ApiPropertyOptional({ example: 'https://cdn.example.com/a.png' })
  @IsOptional()
  @IsUrl({ protocols: ['https', 'http'], require_protocol: true })
  @MaxLength(2048)
  avatar_url?: string;

  @ApiPropertyOptional({
    example: 'jane@new.example',
    description:
      'A new address: needs `current_password` and waits in `pending_email` until the link mailed to it is used; ' +
      'the current address stays in force until then (409 `email_taken` if another account has it). ' +
      'Your current address withdraws a pending change',
  })
  @IsOptional()
  @TrimmedLowercase()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ writeOnly: true, description: 'Required when changing `email`' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  current_password?: string;
}
