import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength } from 'class-validator';
import { TrimmedLowercase } from '@atrium/platform';

export class VerifyEmailQueryDto {
  @ApiProperty({ description: 'The token from the verification mail', example: 'q9V3…' })
  @IsString()
  @MaxLength(256)
  token: string;
}

export class ForgotPasswordDto {
  @ApiProperty({ example: 'user@example.com' })
  @TrimmedLowercase()
  @IsEmail()
  @MaxLength(254)
  email: string;
}

export class ResetPasswordDto {
  @ApiProperty({ description: 'The token from the reset mail', writeOnly: true })
  @IsString()
  @MaxLength(256)
  token: string;

  @ApiProperty({ writeOnly: true, minLength: 8, description: 'At least 8 characters and not a common password' })
  @IsString()
  @MaxLength(1024)
  new_password: string;
}
