import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto, Trimmed } from '@atrium/platform';
import { type Membership, type Role, RoleRefDto } from '@atrium/organizations';
import { UserDto } from '@atrium/accounts';
import type { User } from '@atrium/accounts';
import type { UserProfile } from '@atrium/access';

/** A user together with their membership of the current organization. */
export interface MemberView {
  membership: Membership;
  user: User;
  role: Role;
}

/** What a member's listing shows: the entities of a MemberView, or the columns of the list query. */
export interface MemberListing {
  membership: Pick<Membership, 'id' | 'organizationId' | 'status' | 'createdAt' | 'lastUsedAt' | 'revokedAt' | 'revokeReason'>;
  user: UserProfile | User;
  role: Pick<Role, 'id' | 'name' | 'slug'>;
}

export class MembershipInfoDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['active', 'revoked'] }) status: string;
  @ApiProperty() joined_at: string;
  @ApiProperty({ nullable: true, type: String }) last_used_at: string | null;
  @ApiProperty({ nullable: true, type: String }) revoked_at: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why access was revoked' }) revoke_reason: string | null;
}

/** A member as admins see them: the account (no secrets), their role here and their membership. */
export class MemberDto extends UserDto {
  @ApiProperty({ format: 'uuid' }) organization_id: string;
  @ApiProperty({ type: RoleRefDto }) role: RoleRefDto;
  @ApiProperty({ type: MembershipInfoDto }) membership: MembershipInfoDto;

  static fromView(v: MemberListing): MemberDto {
    const m = v.membership;
    return {
      ...UserDto.from(v.user),
      organization_id: m.organizationId,
      role: RoleRefDto.from(v.role),
      membership: {
        id: m.id,
        status: m.status,
        joined_at: m.createdAt.toISOString(),
        last_used_at: m.lastUsedAt?.toISOString() ?? null,
        revoked_at: m.revokedAt?.toISOString() ?? null,
        revoke_reason: m.revokeReason,
      },
    };
  }
}

export const MEMBER_STATUSES = ['active', 'revoked', 'all'] as const;

export class MemberQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'john', description: 'Part of the first name, last name, full name or email; case-insensitive' })
  @IsOptional()
  @Trimmed()
  @IsString()
  @MaxLength(100)
  search?: string;

  @ApiPropertyOptional({ enum: MEMBER_STATUSES, default: 'active', description: 'Which memberships to list' })
  @IsOptional()
  @IsIn(MEMBER_STATUSES)
  status?: (typeof MEMBER_STATUSES)[number];
}
