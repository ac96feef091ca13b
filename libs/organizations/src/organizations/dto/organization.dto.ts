import { ApiProperty } from '@nestjs/swagger';
import { RoleRefDto } from '../../roles/dto/role-ref.dto.js';
import type { MembershipView } from '../../memberships/user-memberships.js';
import type { Organization } from '../organization.entity.js';
import { resolveSettings } from '../settings.js';
import { OrganizationSettingsView } from './organization-settings.dto.js';

export class OrganizationDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Acme Corp' }) name: string;
  @ApiProperty({ nullable: true, type: String, example: 'acme', description: 'Custom slug (packages with `custom_slug`)' })
  slug: string | null;
  @ApiProperty({ nullable: true, type: String }) email: string | null;
  @ApiProperty({ nullable: true, type: String }) phone: string | null;
  @ApiProperty({ enum: ['active', 'suspended'] }) status: string;
  @ApiProperty({ type: OrganizationSettingsView }) settings: OrganizationSettingsView;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;

  static from(o: Organization): OrganizationDto {
    return {
      id: o.id,
      name: o.name,
      slug: o.slug,
      email: o.email,
      phone: o.phone,
      status: o.status,
      settings: resolveSettings(o.settings),
      created_at: o.createdAt.toISOString(),
      updated_at: o.updatedAt.toISOString(),
    };
  }
}

/** One of the caller's organizations, with the role they hold there. */
export class MyOrganizationDto extends OrganizationDto {
  @ApiProperty({ type: RoleRefDto }) role: RoleRefDto;
  @ApiProperty({ type: [String], example: ['organization.view'] }) permissions: string[];
  @ApiProperty({ description: 'The organization this request acts for' }) current: boolean;
  @ApiProperty() joined_at: string;

  static fromView(v: MembershipView, currentOrganizationId?: string): MyOrganizationDto {
    return {
      ...OrganizationDto.from(v.organization),
      role: RoleRefDto.from(v.role),
      permissions: [...v.role.permissions].sort(),
      current: v.organization.id === currentOrganizationId,
      joined_at: v.membership.createdAt.toISOString(),
    };
  }
}
