import { Column, Entity, Index } from 'typeorm';
import { TenantEntity } from '@atrium/platform';

export type MembershipStatus = 'active' | 'revoked';

/** A user's place in an organization, with the role that grants its permissions. */
@Entity('memberships')
@Index('uq_memberships_org_user', ['organizationId', 'userId'], { unique: true })
export class Membership extends TenantEntity {
  @Index()
  @Column('uuid')
  userId: string;

  @Index()
  @Column('uuid')
  roleId: string;

  @Column('text', { default: 'active' })
  status: MembershipStatus;

  @Column('timestamptz', { nullable: true })
  lastUsedAt: Date | null;

  @Column('timestamptz', { nullable: true })
  revokedAt: Date | null;

  @Column('text', { nullable: true })
  revokeReason: string | null;
}
