import { type MembershipView, RoleRefDto } from '@atrium/organizations';
import { UserDto } from '../users/dto/user.dto.js';
import type { User } from '../users/user.entity.js';
import type { LoginResponseDto, OrganizationSummaryDto } from './dto/login.dto.js';

export function organizationSummary(view: MembershipView): OrganizationSummaryDto {
  const { organization: o, role } = view;
  return {
    id: o.id,
    name: o.name,
    slug: o.slug,
    email: o.email,
    phone: o.phone,
    role: RoleRefDto.from(role),
    permissions: [...role.permissions].sort(),
  };
}

export function loginResponse(tokens: { access_token: string; refresh_token: string }, user: User, view: MembershipView): LoginResponseDto {
  return { ...tokens, user: UserDto.from(user), organization: organizationSummary(view) };
}
