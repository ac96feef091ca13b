import { ApiProperty } from '@nestjs/swagger';
import type { UserProfile } from '@atrium/access';
import type { User } from '../user.entity.js';

/** A timestamp as the API writes it: read pre-formatted by a hot query (UserProfile), or a Date of an entity. */
const iso = (t: string | Date): string => (typeof t === 'string' ? t : t.toISOString());

/** A user as the API shows it; never carries secrets. */
export class UserDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'jane@acme.io' }) email: string;
  @ApiProperty({ nullable: true, type: String }) first_name: string | null;
  @ApiProperty({ nullable: true, type: String }) last_name: string | null;
  @ApiProperty({ nullable: true, type: String }) phone: string | null;
  @ApiProperty({ nullable: true, type: String }) avatar_url: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    example: null,
    description: 'A new address waiting to be verified: `email` stays in force (sign-in, mail) until the link mailed to this one is used',
  })
  pending_email: string | null;
  @ApiProperty({ description: 'Whether `email` has been verified' }) email_verified: boolean;
  @ApiProperty({ enum: ['active', 'suspended'] }) status: string;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;

  static from(u: UserProfile | User): UserDto {
    return {
      id: u.id,
      email: u.email,
      pending_email: u.pendingEmail,
      first_name: u.firstName,
      last_name: u.lastName,
      phone: u.phone,
      avatar_url: u.avatarUrl,
      email_verified: Boolean(u.emailVerifiedAt),
      status: u.status,
      created_at: iso(u.createdAt),
      updated_at: iso(u.updatedAt),
    };
  }
}
