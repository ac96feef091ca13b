import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type OneTimeTokenPurpose = 'email_verification' | 'password_reset' | 'magic_link';

/** A single-use emailed token, stored only as its SHA-256 hash; dead once used or past `expiresAt`. */
@Entity('one_time_tokens')
@Index('ix_one_time_tokens_user_purpose', ['userId', 'purpose'])
export class OneTimeToken {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  userId: string;

  @Column('text')
  purpose: OneTimeTokenPurpose;

  @Index('uq_one_time_tokens_hash', { unique: true })
  @Column('text')
  tokenHash: string;

  /** The address the token was mailed to: a verification token only proves this address. */
  @Column('text')
  email: string;

  /** The organization a magic link signs in to, when one was asked for. */
  @Column('uuid', { nullable: true })
  organizationId: string | null;

  @Column('timestamptz')
  expiresAt: Date;

  @Column('timestamptz', { nullable: true })
  usedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
