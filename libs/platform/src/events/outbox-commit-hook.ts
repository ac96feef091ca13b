import { runPreparedIn } from '../database/prepared-query.js';
import type { DataSource, EntitySubscriberInterface, QueryRunner, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';

/** The channel relays LISTEN on; the hook sends on it after commits that wrote events. */
export const OUTBOX_CHANNEL = 'atrium_outbox';

/** An event staged by `Outbox.add`, written when its transaction commits. */
export interface StagedOutboxEvent {
  id: string;
  name: string;
  organizationId: string | null;
  actorId: string | null;
  payload: string;
  rooms: string;
  requestId: string | null;
  scope: string;
}

interface Staged {
  event: StagedOutboxEvent;
  /** The transaction depth (savepoint level) it was added at; dropped if that savepoint rolls back. */
  depth: number;
}

const STAGED = 'atriumOutboxStaged';

/**
 * One statement writes every event of a transaction, whatever their number, prepared once per connection (named
 * statements skip the parse and plan). Rows go in the order they were added, so `seq` follows that order.
 */
const WRITE = {
  name: 'atrium_outbox_write',
  text: `INSERT INTO outbox_events (id, name, organization_id, actor_id, payload, rooms, request_id, scope)
         SELECT e.id, e.name, e.org, e.actor, e.payload, ARRAY(SELECT jsonb_array_elements_text(e.rooms)), e.req, e.scope
           FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[], $7::text[], $8::text[])
                WITH ORDINALITY AS e(id, name, org, actor, payload, rooms, req, scope, n)
          ORDER BY e.n`,
};

/** TypeORM keeps the nesting depth private; savepoints are numbered by it. */
const depthOf = (qr: QueryRunner): number => (qr as unknown as { transactionDepth: number }).transactionDepth;

const hooks = new WeakMap<DataSource, OutboxCommitHook>();

/**
 * Writes staged events as the last statement before their transaction commits, then wakes relays.
 *
 * Why at commit and not at `add`: the event row's `seq` (the delivery order) is then taken after every read the
 * transaction made, so an event whose transaction saw another's committed change is always ordered after that
 * change's events (causal order per organization), with no lock: a per-organization lock held to commit, which gave
 * strict commit order, cut a refresh-like write's throughput by 60 % when one organization's writers were busy. And
 * every event of a transaction costs one round trip together.
 *
 * Relays are woken after the commit: this process's at once, the others with a NOTIFY sent on a connection of its
 * own, coalesced. Not inside the writer's transaction: PostgreSQL serializes the commits of transactions that NOTIFY
 * (measured: one `outbox.add` with an in-transaction NOTIFY cut a refresh-like write's throughput by 61 %). A
 * notification lost in a crash right after the commit costs only latency: relays poll.
 */
export class OutboxCommitHook implements EntitySubscriberInterface {
  private readonly listeners: Array<() => void> = [];
  private sending?: Promise<void>;
  private again = false;

  private constructor(private readonly dataSource: DataSource) {}

  /** The hook of `dataSource`, installed on first use. */
  static on(dataSource: DataSource): OutboxCommitHook {
    let hook = hooks.get(dataSource);
    if (!hook) {
      hook = new OutboxCommitHook(dataSource);
      dataSource.subscribers.push(hook);
      hooks.set(dataSource, hook);
    }
    return hook;
  }

  /** Stages `event` in the transaction `queryRunner` runs; it is written when that transaction commits. */
  stage(queryRunner: QueryRunner, event: StagedOutboxEvent): void {
    const data = (queryRunner.data ??= {}) as Record<string, Staged[] | undefined>;
    (data[STAGED] ??= []).push({ event, depth: depthOf(queryRunner) });
  }

  /** The relay of this process asks to be woken after each commit that wrote events. */
  onCommitted(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Before the outermost COMMIT: write the staged events (a failure fails the commit). Before a savepoint release: they now belong to the enclosing level. */
  async beforeTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    const qr = event.queryRunner;
    const staged = stagedOf(qr);
    if (!staged?.length) return;
    const depth = depthOf(qr);
    if (depth > 1) {
      for (const s of staged) if (s.depth >= depth) s.depth = depth - 1;
      return;
    }
    const rows = staged.map((s) => s.event);
    await runPreparedIn(qr, qr, WRITE, [
      rows.map((r) => r.id),
      rows.map((r) => r.name),
      rows.map((r) => r.organizationId),
      rows.map((r) => r.actorId),
      rows.map((r) => r.payload),
      rows.map((r) => r.rooms),
      rows.map((r) => r.requestId),
      rows.map((r) => r.scope),
    ]);
  }

  /** After the outermost commit of a transaction that wrote events: wake the relays. */
  afterTransactionCommit(event: TransactionCommitEvent): void {
    const qr = event.queryRunner;
    if (qr.isTransactionActive || !stagedOf(qr)?.length) return;
    clearStaged(qr);
    for (const listener of this.listeners) listener();
    this.notifyOthers();
  }

  /** A rolled-back transaction writes nothing; a rolled-back savepoint drops what was added inside it. */
  afterTransactionRollback(event: TransactionRollbackEvent): void {
    const qr = event.queryRunner;
    const staged = stagedOf(qr);
    if (!staged) return;
    if (!qr.isTransactionActive) return clearStaged(qr);
    const depth = depthOf(qr);
    (qr.data as Record<string, Staged[]>)[STAGED] = staged.filter((s) => s.depth <= depth);
  }

  private notifyOthers(): void {
    if (this.sending) {
      this.again = true;
      return;
    }
    this.sending = (async () => {
      do {
        this.again = false;
        // A failed NOTIFY (e.g. during shutdown) only delays other relays until their next poll.
        await this.dataSource.query(`SELECT pg_notify('${OUTBOX_CHANNEL}', '')`).catch(() => undefined);
      } while (this.again && this.dataSource.isInitialized);
    })().finally(() => (this.sending = undefined));
  }
}

const stagedOf = (qr: QueryRunner) => (qr.data as Record<string, Staged[] | undefined> | undefined)?.[STAGED];
const clearStaged = (qr: QueryRunner) => void delete (qr.data as Record<string, unknown>)[STAGED];
