import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '@atrium/platform';

/**
 * One signed-in device. Its refresh tokens form a family: reusing a rotated one revokes the session,
 * and a revoked session's access tokens stop working on the next request.
 */
@Entity('sessions')
export class Session extends BaseEntity {
  @Index()
  @Column('uuid')
  userId: string;

  /** The organization the session currently acts for (changed by switching). */
  @Column('uuid')
  organizationId: string;

  @Column('text', { nullable: true })
  userAgent: string | null;

  @Column('text', { nullable: true })
  ip: string | null;

  @Column('timestamptz')
  lastUsedAt: Date;

  @Column('timestamptz')
  expiresAt: Date;

  @Column('timestamptz', { nullable: true })
  revokedAt: Date | null;

  @Column('text', { nullable: true })
  revokeReason: string | null;
}
