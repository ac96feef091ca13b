import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '@atrium/platform';

export type UserStatus = 'active' | 'suspended';

/** A person with one login, who may belong to several organizations. */
@Entity('users')
export class User extends BaseEntity {
  /** Stored lowercased; unique across the platform. */
  @Index('uq_users_email', { unique: true })
  @Column('text')
  email: string;

  @Column('text', { select: false })
  passwordHash: string;

  @Column('text', { nullable: true })
  firstName: string | null;

  @Column('text', { nullable: true })
  lastName: string | null;

  @Column('text', { nullable: true })
  phone: string | null;

  @Column('text', { nullable: true })
  avatarUrl: string | null;

  @Column('timestamptz', { nullable: true })
  emailVerifiedAt: Date | null;

  /** A new address asked for but not yet verified; `email` stays in force until the link mailed here is used. */
  @Column('text', { nullable: true })
  pendingEmail: string | null;

  @Column('text', { default: 'active' })
  status: UserStatus;
}
