import { Column, Entity, Index } from 'typeorm';
import { TenantEntity } from '@atrium/platform';

export type InvitationStatus = 'pending' | 'accepted' | 'expired';

/** An invitation to join an organization with a role. The mailed token is stored only as its SHA-256 hash. */
@Entity('invitations')
@Index('uq_invitations_open_email', ['organizationId', 'email'], { unique: true, where: 'accepted_at IS NULL' })
export class Invitation extends TenantEntity {
  /** Lowercased; whoever accepts must be (or become) the account with this address. */
  @Index('ix_invitations_email')
  @Column('text')
  email: string;

  @Index('ix_invitations_role_id')
  @Column('uuid')
  roleId: string;

  @Index('uq_invitations_token_hash', { unique: true })
  @Column('text', { select: false })
  tokenHash: string;

  /** The member who invited; null when an API key did (the audit trail names the key). */
  @Column('uuid', { nullable: true })
  invitedBy: string | null;

  @Column('timestamptz')
  expiresAt: Date;

  @Column('timestamptz', { nullable: true })
  acceptedAt: Date | null;

  @Column('uuid', { nullable: true })
  acceptedUserId: string | null;

  get status(): InvitationStatus {
    if (this.acceptedAt) return 'accepted';
    return this.expiresAt <= new Date() ? 'expired' : 'pending';
  }
}
