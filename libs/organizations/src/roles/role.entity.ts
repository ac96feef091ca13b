import { Column, Entity, Index } from 'typeorm';
import { TenantEntity } from '@atrium/platform';

/** A named set of permission strings within one organization. */
@Entity('roles')
@Index('uq_roles_org_slug', ['organizationId', 'slug'], { unique: true })
export class Role extends TenantEntity {
  @Column('text')
  name: string;

  @Column('text')
  slug: string;

  @Column('text', { nullable: true })
  description: string | null;

  @Column('text', { array: true, default: () => "'{}'" })
  permissions: string[];

  /** owner, admin, manager and member are created with every organization and cannot be deleted. */
  @Column('boolean', { default: false })
  builtIn: boolean;
}
