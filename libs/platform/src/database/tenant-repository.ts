import type {
  DataSource,
  DeepPartial,
  EntityManager,
  EntityTarget,
  FindManyOptions,
  FindOptionsOrder,
  FindOptionsWhere,
  Repository,
} from 'typeorm';
import type { RequestContext } from '../context/request-context.js';
import { notFound } from '../http/domain-error.js';
import { pageOffset, toPage, type Page } from '../http/pagination.js';
import type { TenantEntity } from './base.entity.js';
import { TenantQuery } from './tenant-query.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

type Where<T> = FindOptionsWhere<T> | FindOptionsWhere<T>[];

/**
 * Every read and write of a tenant-owned table goes through here: the context's organization is
 * added to each query and each insert, and a missing organization throws instead of reading all rows.
 */
export class TenantRepository<T extends TenantEntity> {
  constructor(
    private readonly repo: Repository<T>,
    /** What a missing row is called in the 404 message, e.g. "Role". */
    readonly resource: string,
  ) {}

  static for<T extends TenantEntity>(ds: DataSource | EntityManager, target: EntityTarget<T>, resource: string) {
    return new TenantRepository<T>(ds.getRepository(target), resource);
  }

  /** The same repository bound to a transaction's manager. */
  with(manager: EntityManager): TenantRepository<T> {
    return new TenantRepository<T>(manager.getRepository(this.repo.target), this.resource);
  }

  private scope(ctx: RequestContext, where: Where<T> = {}): Where<T> {
    const organizationId = ctx.requireOrganizationId();
    const add = (w: FindOptionsWhere<T>) => ({ ...w, organizationId }) as FindOptionsWhere<T>;
    return Array.isArray(where) ? where.map(add) : add(where);
  }

  async find(ctx: RequestContext, options: Omit<FindManyOptions<T>, 'where'> & { where?: Where<T> } = {}): Promise<T[]> {
    return this.repo.find({ ...options, where: this.scope(ctx, options.where) });
  }

  async findOne(ctx: RequestContext, where: Where<T>): Promise<T | null> {
    return this.repo.findOne({ where: this.scope(ctx, where) });
  }

  /** The row with this id in the context's organization, else a 404 (also for another tenant's id). */
  async getById(ctx: RequestContext, id: string): Promise<T> {
    const organizationId = ctx.requireOrganizationId();
    if (!isUuid(id)) throw notFound(this.resource);
    const row = await this.repo.findOne({ where: { id, organizationId } as FindOptionsWhere<T> });
    if (!row) throw notFound(this.resource);
    return row;
  }

  async findPage(
    ctx: RequestContext,
    query: { page: number; limit: number },
    where: Where<T> = {},
    order: FindOptionsOrder<T> = { createdAt: 'DESC' } as FindOptionsOrder<T>,
  ): Promise<Page<T>> {
    const [rows, total] = await this.repo.findAndCount({
      where: this.scope(ctx, where),
      order,
      skip: pageOffset(query),
      take: query.limit,
    });
    return toPage(rows, total, query);
  }

  async count(ctx: RequestContext, where: Where<T> = {}): Promise<number> {
    return this.repo.count({ where: this.scope(ctx, where) });
  }

  async exists(ctx: RequestContext, where: Where<T>): Promise<boolean> {
    return this.repo.exists({ where: this.scope(ctx, where) });
  }

  /** Inserts a row owned by the context's organization (any organizationId in `data` is overwritten). */
  async create(ctx: RequestContext, data: DeepPartial<T>): Promise<T> {
    const organizationId = ctx.requireOrganizationId();
    const entity = this.repo.create({ ...data, organizationId } as DeepPartial<T>);
    return this.repo.save(entity);
  }

  /** Saves changes to a row previously loaded through this repository. */
  async save(ctx: RequestContext, entity: T): Promise<T> {
    if (entity.organizationId !== ctx.requireOrganizationId()) throw notFound(this.resource);
    return this.repo.save(entity);
  }

  async remove(ctx: RequestContext, entity: T): Promise<void> {
    if (entity.organizationId !== ctx.requireOrganizationId()) throw notFound(this.resource);
    await this.repo.remove(entity);
  }

  /** A query over the context's organization's rows that conditions can narrow but never widen. */
  query(ctx: RequestContext, alias: string): TenantQuery<T> {
    return new TenantQuery(this.repo.createQueryBuilder(alias), alias, ctx.requireOrganizationId());
  }
}
