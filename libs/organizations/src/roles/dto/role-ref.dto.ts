import { ApiProperty } from '@nestjs/swagger';
import type { Role } from '../role.entity.js';

/** A role named inside another resource. */
export class RoleRefDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Admin' }) name: string;
  @ApiProperty({ example: 'admin' }) slug: string;

  static from(r: Pick<Role, 'id' | 'name' | 'slug'>): RoleRefDto {
    return { id: r.id, name: r.name, slug: r.slug };
  }
}
