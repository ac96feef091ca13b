import { Brackets, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';

/** An entity class or a table name, as TypeORM's joins take them. */
type JoinTarget = string | (new (...args: never[]) => object);

/** SQL text, `Brackets`, or find-style objects (an array means any of them). */
type Condition = string | Brackets | ObjectLiteral | ObjectLiteral[];

const TENANT_PARAMETER = '__tenant';

/**
 * A select over one tenant-owned table, restricted to one organization. It offers only ways to narrow
 * the result: no `where`/`orWhere` (which would replace or widen the tenant condition), every added
 * condition is bracketed (so a top-level `OR` cannot escape), and the organization parameter is set
 * again right before the query runs (so a caller's parameter of the same name cannot replace it).
 */
export class TenantQuery<T extends ObjectLiteral> {
  private readonly qb: SelectQueryBuilder<T>;

  constructor(
    qb: SelectQueryBuilder<T>,
    alias: string,
    private readonly organizationId: string,
  ) {
    this.qb = qb.where(`${alias}.organization_id = :${TENANT_PARAMETER}`);
  }

  /** Narrows the rows; the condition is bracketed, so `a OR b` stays inside the organization. */
  andWhere(where: Condition, parameters?: ObjectLiteral): this {
    this.qb.andWhere(
      new Brackets((inner) => void (typeof where === 'string' ? inner.where(where, parameters) : inner.where(where, parameters))),
    );
    return this;
  }

  innerJoin(target: JoinTarget, alias: string, condition?: string, parameters?: ObjectLiteral): this {
    this.qb.innerJoin(target, alias, condition, parameters);
    return this;
  }

  leftJoin(target: JoinTarget, alias: string, condition?: string, parameters?: ObjectLiteral): this {
    this.qb.leftJoin(target, alias, condition, parameters);
    return this;
  }

  innerJoinAndMapOne(mapTo: string, target: JoinTarget, alias: string, condition?: string, parameters?: ObjectLiteral): this {
    this.qb.innerJoinAndMapOne(mapTo, target, alias, condition, parameters);
    return this;
  }

  select(selection: string | string[], alias?: string): this {
    if (typeof selection === 'string') this.qb.select(selection, alias);
    else this.qb.select(selection);
    return this;
  }

  addSelect(selection: string | string[], alias?: string): this {
    if (typeof selection === 'string') this.qb.addSelect(selection, alias);
    else this.qb.addSelect(selection);
    return this;
  }

  orderBy(sort: string, order?: 'ASC' | 'DESC', nulls?: 'NULLS FIRST' | 'NULLS LAST'): this {
    this.qb.orderBy(sort, order, nulls);
    return this;
  }

  addOrderBy(sort: string, order?: 'ASC' | 'DESC', nulls?: 'NULLS FIRST' | 'NULLS LAST'): this {
    this.qb.addOrderBy(sort, order, nulls);
    return this;
  }

  groupBy(groupBy: string): this {
    this.qb.groupBy(groupBy);
    return this;
  }

  skip(skip?: number): this {
    this.qb.skip(skip);
    return this;
  }

  take(take?: number): this {
    this.qb.take(take);
    return this;
  }

  /** Rows skipped and returned at SQL level (OFFSET/LIMIT): for queries without joined collections. */
  offset(offset?: number): this {
    this.qb.offset(offset);
    return this;
  }

  limit(limit?: number): this {
    this.qb.limit(limit);
    return this;
  }

  /** Locks the rows read (of `tables`' aliases only, when given) until the transaction ends: `FOR UPDATE`. */
  forUpdate(tables?: string[]): this {
    this.qb.setLock('pessimistic_write', undefined, tables);
    return this;
  }

  getMany(): Promise<T[]> {
    return this.scoped().getMany();
  }

  getOne(): Promise<T | null> {
    return this.scoped().getOne();
  }

  getManyAndCount(): Promise<[T[], number]> {
    return this.scoped().getManyAndCount();
  }

  getCount(): Promise<number> {
    return this.scoped().getCount();
  }

  getExists(): Promise<boolean> {
    return this.scoped().getExists();
  }

  getRawMany<R = ObjectLiteral>(): Promise<R[]> {
    return this.scoped().getRawMany<R>();
  }

  getRawOne<R = ObjectLiteral>(): Promise<R | undefined> {
    return this.scoped().getRawOne<R>();
  }

  private scoped(): SelectQueryBuilder<T> {
    return this.qb.setParameter(TENANT_PARAMETER, this.organizationId);
  }
}
