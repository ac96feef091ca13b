import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '@atrium/platform';

export class ExternalUserQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'A provider of the organization, by id or name' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  provider?: string;

  @ApiPropertyOptional({ description: 'Exact email (case-insensitive)' })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  email?: string;
}

export class ExternalUserProviderDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'user-service' }) name: string;
}

export class ExternalUserDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: ExternalUserProviderDto }) provider: ExternalUserProviderDto;
  @ApiProperty({ example: 'user_001', description: 'The partner’s id of the user' }) external_id: string;
  @ApiProperty({ nullable: true, type: String, example: 'new@user.com' }) email: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'Test User' }) name: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'uuid',
    description: 'The Atrium account with that email, when it is an active member of the organization',
  })
  user_id: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}
