import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

export class ChangePasswordDto {
  @ApiProperty({ writeOnly: true })
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  current_password: string;

  @ApiProperty({ writeOnly: true, minLength: 8, description: 'At least 8 characters and not a common password' })
  @IsString()
  @MaxLength(1024)
  new_password: string;
}
