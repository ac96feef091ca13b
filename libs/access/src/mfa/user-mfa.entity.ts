import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintNumber } from '@atrium/platform';

/** A user's TOTP factor. Pending until the first code confirms it (`enabledAt` set). */
@Entity('user_mfa')
export class UserMfa {
  @PrimaryColumn('uuid')
  userId: string;

  /** AES-256-GCM sealed (see SecretBox), bound to the user id. */
  @Column('text')
  secretEncrypted: string;

  @Column('timestamptz', { nullable: true })
  enabledAt: Date | null;

  /** The last accepted time step; codes of that step or earlier are refused (replay). */
  @Column('bigint', { nullable: true, transformer: bigintNumber })
  lastTimeStep: number | null;

  @Column('int', { default: 0 })
  failedAttempts: number;

  @Column('timestamptz', { nullable: true })
  lockedUntil: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
