import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto, TrimmedLowercase } from '@atrium/platform';
import { type Role, RoleRefDto } from '@atrium/organizations';
import { PersonName } from '@atrium/accounts';
import type { Invitation } from '../invitation.entity.js';

export class CreateInvitationDto {
  @ApiProperty({ example: 'newuser@example.com' })
  @TrimmedLowercase()
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiPropertyOptional({ example: 'b3c1…', description: 'Role to grant, by id (or slug); defaults to the organization `default_role`' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  role_id?: string;
}

export const INVITATION_STATUSES = ['pending', 'accepted', 'expired'] as const;

export class InvitationQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: INVITATION_STATUSES, description: 'Only invitations in this state' })
  @IsOptional()
  @IsIn(INVITATION_STATUSES)
  status?: (typeof INVITATION_STATUSES)[number];
}

export class InvitationDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() email: string;
  @ApiProperty({ type: RoleRefDto }) role: RoleRefDto;
  @ApiProperty({ enum: INVITATION_STATUSES }) status: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'Null when an API key invited' }) invited_by: string | null;
  @ApiProperty() expires_at: string;
  @ApiProperty({ nullable: true, type: String }) accepted_at: string | null;
  @ApiProperty() created_at: string;

  static from(i: Invitation, role: Role): InvitationDto {
    return {
      id: i.id,
      email: i.email,
      role: RoleRefDto.from(role),
      status: i.status,
      invited_by: i.invitedBy,
      expires_at: i.expiresAt.toISOString(),
      accepted_at: i.acceptedAt?.toISOString() ?? null,
      created_at: i.createdAt.toISOString(),
    };
  }
}

/** What the invitation link shows before accepting (public: whoever holds the token). */
export class InvitationPreviewDto {
  @ApiProperty({ example: 'Acme Corp' }) organization_name: string;
  @ApiProperty() email: string;
  @ApiProperty({ type: RoleRefDto }) role: RoleRefDto;
  @ApiProperty() expires_at: string;
  @ApiProperty({ description: 'An account with this email exists: sign in as it, then accept (no name or password needed)' })
  account_exists: boolean;
}

export class AcceptInvitationDto {
  @PersonName({ example: 'Jane', description: 'Required when the email has no account yet' })
  first_name?: string;

  @PersonName({ example: 'Doe', description: 'Required when the email has no account yet' })
  last_name?: string;

  @ApiPropertyOptional({
    writeOnly: true,
    description: 'Required when the email has no account yet: at least 8 characters, not a common password',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  password?: string;
}

export class AcceptedInvitationDto {
  @ApiProperty({ format: 'uuid' }) user_id: string;
  @ApiProperty({ format: 'uuid' }) organization_id: string;
  @ApiProperty() organization_name: string;
  @ApiProperty({ type: RoleRefDto }) role: RoleRefDto;
  @ApiProperty({ description: 'A new account was created (sign in with its email and password)' }) account_created: boolean;
}
