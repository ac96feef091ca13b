import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A refresh token, stored only as its SHA-256 hash. Rotation marks it used and issues the next one. */
@Entity('refresh_tokens')
export class RefreshToken {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column('uuid')
  sessionId: string;

  @Index('uq_refresh_tokens_hash', { unique: true })
  @Column('text')
  tokenHash: string;

  @Column('timestamptz', { nullable: true })
  rotatedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
