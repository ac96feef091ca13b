import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class SwitchOrganizationDto {
  @ApiProperty({ format: 'uuid', description: 'One of your organizations (see GET /organizations)' })
  @IsUUID()
  organization_id: string;
}
