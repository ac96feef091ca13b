import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';

/**
 * Row-level security, the second wall behind the tenant-scoped repository. Every tenant table has a policy that
 * shows and accepts only rows of the organization in the connection's `app.organization_id` setting (migration
 * 1764001400000), and the app's connections act as a role that owns no table and has no BYPASSRLS. Which
 * organization a statement runs for comes from the tenant scope of the code that issued it: a request enters its
 * caller's organization once the credential check has read it, a job its envelope's, a socket message its socket's.
 * Code with no scope sees no tenant row at all.
 *
 * The few places that must read across organizations (the credential check itself, sign-in, the caller's list of
 * organizations, a webhook naming its organization by slug, sweeps over every organization) say so with
 * `acrossTenants`, which the README lists: a grep for it finds every one.
 */
interface Scope {
  organizationId: string | undefined;
  crossTenant: boolean;
}

const storage = new AsyncLocalStorage<Scope>();

/** Runs `work` (and everything it starts) for one organization's rows. */
export function withTenant<T>(organizationId: string | undefined, work: () => T): T {
  return storage.run({ organizationId, crossTenant: false }, work);
}

/** Runs `work` seeing every organization's rows: only for the documented cross-organization paths. */
export function acrossTenants<T>(work: () => T): T {
  return storage.run({ organizationId: undefined, crossTenant: true }, work);
}

/**
 * Opens a scope for one request with no organization yet; `enterTenant` later names it (the auth guard, once the
 * credential check has read it). Express calls the rest of the request's handling inside `next`.
 */
export function openRequestScope(next: () => void): void {
  storage.run({ organizationId: undefined, crossTenant: false }, next);
}

/** Names the organization of the scope opened by `openRequestScope` for the rest of the request. */
export function enterTenant(organizationId: string | undefined): void {
  const scope = storage.getStore();
  if (scope && !scope.crossTenant) scope.organizationId = organizationId;
}

/** What the database session must hold for the current scope: `*` across tenants, an organization id, or nothing. */
function scopeKey(): string {
  const scope = storage.getStore();
  if (!scope) return '';
  return scope.crossTenant ? '*' : (scope.organizationId ?? '');
}

const APPLY = {
  name: 'atrium_tenant_scope',
  text: `SELECT set_config('app.organization_id', $1, false), set_config('app.cross_tenant', $2, false)`,
};

/** Not yet known: the next statement sets the scope whatever it is (a rollback may have undone the last setting). */
const UNKNOWN = '\u0000';

/**
 * How a statement ends a transaction, if it does: such a statement needs no scope and must run even when setting one
 * would fail (an aborted transaction), and a rollback may undo a setting made inside the transaction.
 */
function transactionEnd(config: unknown): 'rollback' | 'commit' | undefined {
  const text = typeof config === 'string' ? config : (config as { text?: unknown } | null)?.text;
  if (typeof text !== 'string') return undefined;
  const word = /^\s*(rollback|commit|end)\b/i.exec(text)?.[1];
  return word === undefined ? undefined : word.toLowerCase() === 'rollback' ? 'rollback' : 'commit';
}

/**
 * A pg client that carries the tenant scope of whoever runs a statement on it into the database session: when the
 * scope differs from what the session holds, one `set_config` statement goes first on the same connection (pg runs a
 * client's statements in order), so a connection serving one organization's requests after another's pays one
 * round trip, and one that stays with an organization pays nothing. A rollback or a failed statement may undo a
 * setting made inside a transaction, so after either the next statement sets it again.
 */
export class TenantScopedClient extends pg.Client {
  /** The scope this connection's session holds (scopeKey), or UNKNOWN. */
  scopeApplied = '';

  constructor(config?: string | pg.ClientConfig) {
    super(config);
    // A connection the server ends (a restart: FATAL 57P01) emits 'error' whether or not anyone is listening: pg-pool
    // listens only while the client is idle, TypeORM only while a query runner holds it, and between the two an
    // unheard 'error' event killed the process (seen under the PostgreSQL-restart fault). Heard here, the error still
    // reaches the statement it ends, and the pool drops the client the next time it is released or used.
    this.on('error', () => void (this.scopeApplied = UNKNOWN));
  }
}

// eslint-disable-next-line @typescript-eslint/unbound-method -- called with the client as `this`
const baseQuery = pg.Client.prototype.query as (this: pg.Client, ...args: unknown[]) => unknown;

/** Runs a statement, noting when it may undo the session's scope (a rollback, or a failure inside a transaction). */
function issue(client: TenantScopedClient, args: unknown[], end: ReturnType<typeof transactionEnd>): unknown {
  // Noted before the rollback runs: a statement issued after it sets the scope again.
  if (end === 'rollback') client.scopeApplied = UNKNOWN;
  const last = args.length - 1;
  if (typeof args[last] === 'function') {
    const callback = args[last] as (err: unknown, res: unknown) => void;
    args[last] = (err: unknown, res: unknown) => {
      if (err) client.scopeApplied = UNKNOWN;
      callback(err, res);
    };
    return baseQuery.apply(client, args);
  }
  const result = baseQuery.apply(client, args);
  if (result instanceof Promise) result.catch(() => void (client.scopeApplied = UNKNOWN));
  return result;
}

TenantScopedClient.prototype.query = function query(this: TenantScopedClient, ...args: unknown[]) {
  const key = scopeKey();
  const end = transactionEnd(args[0]);
  if (key === this.scopeApplied || end) return issue(this, args, end);
  this.scopeApplied = key;
  const applying = baseQuery.call(this, { ...APPLY, values: key === '*' ? ['', 'on'] : [key, ''] }) as Promise<unknown>;
  const failed = (err: unknown) => {
    this.scopeApplied = UNKNOWN;
    return err;
  };
  // A statement is issued only once its scope is set: queued behind a setting that fails, it would run in the
  // organization the connection held before. With a callback (a statement, or a pg Query as `queryNamed` runs one)
  // the callback gets the setting's error instead.
  const last = args.length - 1;
  if (typeof args[last] === 'function') {
    const callback = args[last] as (err: unknown) => void;
    applying.then(
      () => issue(this, args, end),
      (err: unknown) => callback(failed(err)),
    );
    return undefined;
  }
  const config = args[0] as { submit?: unknown } | null;
  if (config && typeof config.submit === 'function') {
    // A cursor or stream without a callback: its caller holds it at once, so pg queues it behind the setting.
    applying.catch(failed);
    return issue(this, args, end);
  }
  return applying.then(
    () => issue(this, args, end),
    (err: unknown) => {
      throw failed(err);
    },
  );
} as pg.Client['query'];

/** The role the application's connections act as (migration 1764001400000): no table of its own, no BYPASSRLS. */
export const APP_ROLE = 'atrium_app';

/** pg pool options that make every connection act as APP_ROLE (row-level security applies) through TenantScopedClient. */
export const tenantScopedPoolOptions = { Client: TenantScopedClient as typeof pg.Client, options: `-c role=${APP_ROLE}` };

/**
 * A method that works over every organization (a sweep, a person's records everywhere): it runs across tenants, as
 * `acrossTenants` does, whoever calls it (its job, a test, another service).
 */
export function AcrossTenants(): MethodDecorator {
  return (_target, _key, descriptor: PropertyDescriptor) => {
    const method = descriptor.value as (...args: unknown[]) => unknown;
    descriptor.value = function (this: unknown, ...args: unknown[]) {
      return acrossTenants(() => method.apply(this, args));
    };
  };
}
