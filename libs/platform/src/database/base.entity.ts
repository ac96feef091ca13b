import { Column, CreateDateColumn, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** uuid key and timestamps, shared by every table. */
export abstract class BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

/** A row owned by one organization; only the tenant-scoped repository touches these. */
export abstract class TenantEntity extends BaseEntity {
  @Index()
  @Column('uuid')
  organizationId: string;
}
