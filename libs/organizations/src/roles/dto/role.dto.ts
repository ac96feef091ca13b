import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import type { Role } from '@atrium/organizations';
import { Trimmed } from '@atrium/platform';

export class RoleDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Manager' }) name: string;
  @ApiProperty({ example: 'manager' }) slug: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ type: [String], example: ['users.view', 'users.edit'] }) permissions: string[];
  @ApiProperty({ description: 'owner, admin, manager and member come with every organization and cannot be changed or deleted' })
  built_in: boolean;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;

  static from(r: Role): RoleDto {
    return {
      id: r.id,
      name: r.name,
      slug: r.slug,
      description: r.description,
      permissions: [...r.permissions].sort(),
      built_in: r.builtIn,
      created_at: r.createdAt.toISOString(),
      updated_at: r.updatedAt.toISOString(),
    };
  }
}

const PERMISSIONS_DOC = 'Permission strings from GET /roles/permissions; you can only grant ones you hold';

export class CreateRoleDto {
  @ApiProperty({ example: 'Support agent', minLength: 2, maxLength: 60 })
  @Trimmed()
  @IsString()
  @MinLength(2)
  @MaxLength(60)
  name: string;

  @ApiPropertyOptional({ example: 'support-agent', description: 'Unique in the organization; derived from the name when left out' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9_-]{1,47}$/, { message: 'slug must be 2–48 lowercase letters, digits, hyphens or underscores' })
  slug?: string;

  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 500 })
  @ValidateIf((_, v) => v !== undefined && v !== null)
  @IsString()
  @MaxLength(500)
  description?: string | null;

  @ApiProperty({ type: [String], example: ['users.view'], description: PERMISSIONS_DOC })
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  permissions: string[];
}

/** The slug stays fixed (settings and integrations refer to it). */
export class UpdateRoleDto {
  @ApiPropertyOptional({ example: 'Senior manager', minLength: 2, maxLength: 60 })
  @IsOptional()
  @Trimmed()
  @IsString()
  @MinLength(2)
  @MaxLength(60)
  name?: string;

  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 500 })
  @ValidateIf((_, v) => v !== undefined && v !== null)
  @IsString()
  @MaxLength(500)
  description?: string | null;

  @ApiPropertyOptional({ type: [String], description: `Replaces the role's permissions. ${PERMISSIONS_DOC}` })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  permissions?: string[];
}

export class PermissionDto {
  @ApiProperty({ example: 'users.view' }) key: string;
  @ApiProperty({ example: 'users' }) group: string;
  @ApiProperty() description: string;

  /** The whole catalogue, in its order. */
  static catalogue(catalogue: Readonly<Record<string, string>>): PermissionDto[] {
    return Object.entries(catalogue).map(([key, description]) => ({ key, group: key.split('.')[0], description }));
  }
}

export class RoleUsageDto {
  @ApiProperty({ format: 'uuid' }) role_id: string;
  @ApiProperty() name: string;
  @ApiProperty() slug: string;
  @ApiProperty({ description: 'Active members holding the role' }) members: number;
  @ApiProperty({ description: 'Open invitations that would grant it (counted by the invitations feature)' })
  pending_invitations: number;
}
