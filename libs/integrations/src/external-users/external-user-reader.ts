import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isoSql, isUuid, type Page, pageOffset, type RequestContext, toPage } from '@atrium/platform';
import type { ExternalUserDto, ExternalUserQueryDto } from './dto/external-user.dto.js';

/** The organization's external users (read-only: the `user.*` webhooks write them), newest first. */
@Injectable()
export class ExternalUserReader {
  constructor(private readonly dataSource: DataSource) {}

  async list(ctx: RequestContext, q: ExternalUserQueryDto): Promise<Page<ExternalUserDto>> {
    const params: unknown[] = [ctx.requireOrganizationId()];
    const where = ['x.organization_id = $1'];
    const add = (sql: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    const provider = q.provider?.toLowerCase();
    if (provider) add((n) => (isUuid(provider) ? `x.provider_id = ${n}::uuid` : `p.name = ${n}`), provider);
    if (q.email) add((n) => `x.email = ${n}`, q.email.toLowerCase());
    const from = `FROM integration_external_users x JOIN webhook_providers p ON p.id = x.provider_id WHERE ${where.join(' AND ')}`;
    const [{ total }] = await this.dataSource.query<Array<{ total: number }>>(`SELECT count(*)::int AS total ${from}`, params);
    const rows = await this.dataSource.query<ExternalUserDto[]>(
      `SELECT x.id, json_build_object('id', p.id, 'name', p.name) AS provider, x.external_id, x.email, x.name, x.user_id,
              ${isoSql('x.created_at')} AS created_at, ${isoSql('x.updated_at')} AS updated_at
         ${from} ORDER BY x.created_at DESC, x.id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, q.limit, pageOffset(q)],
    );
    return toPage(rows, total, q);
  }
}
