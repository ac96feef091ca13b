import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One mutating action: who did what to which resource, with before/after (secrets removed). The table also has
 * `txid` (xid8, the writing transaction) and `seq` (identity), set by the database and read only by the seal chain's
 * SQL, so they are not mapped here. Its indexes live in the migrations only (the list's are ordered by `created_at DESC, seq
 * DESC`, which a decorator cannot say): 1764000050000, 1764001000200 and 1764001000300.
 */
@Entity('audit_logs')
export class AuditLog {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  organizationId: string;

  @Index('ix_audit_logs_actor')
  @Column('uuid', { nullable: true })
  actorUserId: string | null;

  @Column('uuid', { nullable: true })
  actorApiKeyId: string | null;

  /** The acting account's email when the entry was written (kept if the account changes or goes). */
  @Column('text', { nullable: true })
  actorEmail: string | null;

  /** The acting API key's name when the entry was written. */
  @Column('text', { nullable: true })
  actorApiKeyName: string | null;

  /** e.g. `user.created`, `role.updated`, `session.revoked` */
  @Column('text')
  action: string;

  @Column('text')
  resourceType: string;

  @Column('text', { nullable: true })
  resourceId: string | null;

  /** A human label of what was acted on: an email, a role's name, a document's title. */
  @Column('text', { nullable: true })
  target: string | null;

  @Column('jsonb', { nullable: true })
  before: Record<string, unknown> | null;

  @Column('jsonb', { nullable: true })
  after: Record<string, unknown> | null;

  @Column('jsonb', { default: {} })
  metadata: Record<string, unknown>;

  @Column('text', { nullable: true })
  ip: string | null;

  @Column('text', { nullable: true })
  userAgent: string | null;

  @Column('text', { nullable: true })
  requestId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
