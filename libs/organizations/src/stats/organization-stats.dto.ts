import { ApiProperty } from '@nestjs/swagger';

/** The figures the organizations and members libraries always report; later features add keys of their own. */
export class OrganizationStatsDto {
  @ApiProperty({ description: 'Active memberships' }) members: number;
  @ApiProperty({ description: 'Members with an active account who used the organization in the last 30 days' })
  active_members: number;
  @ApiProperty({ description: 'Members whose account is suspended' }) suspended_members: number;
  @ApiProperty({ description: 'Memberships that were revoked' }) revoked_members: number;
  @ApiProperty() roles: number;
  @ApiProperty({ description: 'Roles other than the built-in ones' }) custom_roles: number;
  @ApiProperty({ description: 'Invitations neither accepted nor expired' }) pending_invitations: number;
  @ApiProperty({ description: 'Bytes stored by every feature that stores files (0 until documents exist)' }) storage_used_bytes: number;
  @ApiProperty({ format: 'date-time' }) generated_at: string;
}
