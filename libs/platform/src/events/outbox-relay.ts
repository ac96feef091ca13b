import { Logger } from '@nestjs/common';
import pg from 'pg';
import { acrossTenants, withTenant } from '../database/tenant-scope.js';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { OUTBOX_CHANNEL } from './outbox-commit-hook.js';
import { type Outbox, type OutboxEvent, type OutboxSubscriber, wants } from './outbox.js';

/** How a relay paces itself. */
export interface OutboxRelayOptions {
  /** Connection string for the dedicated LISTEN connection. */
  listenUrl: string;
  pollIntervalMs: number;
  maxAttempts: number;
  /** First retry delay; doubled per failed attempt, capped at `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  batchSize?: number;
  /** One subscriber's time for one event; past it the attempt fails (its transaction is rolled back) and is retried. */
  handlerTimeoutMs?: number;
}

interface EventRow {
  id: string;
  seq: string;
  name: string;
  organization_id: string | null;
  actor_id: string | null;
  payload: unknown;
  rooms: string[];
  request_id: string | null;
  created_at: Date;
  now: Date;
}

interface ClaimedRow extends EventRow {
  settled: string[];
  retrying: Array<{ subscriber: string; at: string }>;
}

interface EarlierRow {
  seq: string;
  organization_id: string;
  name: string;
  rooms: string[];
  available_at: Date;
  settled: string[];
}

/** An (organization, subscriber) whose events from `seq` on must wait, until `until` (or until a peer relay finishes). */
interface Block {
  seq: bigint;
  until: Date | null;
}

const errorText = (err: unknown): string =>
  (err instanceof Error ? `${err.name}: ${err.message}` : 'non-error thrown').replace(/\s+/g, ' ').slice(0, 300);

/**
 * Delivers committed outbox events to the registered subscribers: woken by NOTIFY, polling as a fallback,
 * claiming batches with FOR NO KEY UPDATE SKIP LOCKED so any number of relays share the work; only events of
 * its outbox's scope (its deployment, see `Outbox.scope`). Per
 * (organization, subscriber) an event waits while an earlier one is pending, so each subscriber sees an
 * organization's events in commit order; a failing subscriber is retried with backoff and parked after
 * `maxAttempts`, blocking nobody else.
 */
export class OutboxRelay {
  private readonly logger = new Logger('Outbox');
  private listener?: pg.Client;
  private pollTimer?: NodeJS.Timeout;
  private reconnectTimer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = true;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly opts: OutboxRelayOptions,
  ) {}

  /** Starts listening and polling; resolves once the LISTEN connection is up (or has failed and will retry). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.listen();
    this.pollTimer = setInterval(() => this.wake(), this.opts.pollIntervalMs);
    this.pollTimer.unref();
    this.wake();
  }

  /** Stops waking, waits for the batch in flight, closes the LISTEN connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.reconnectTimer);
    await this.running;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  /** Runs batches until one makes no progress; for tools and tests that drive a relay by hand. */
  async drain(): Promise<void> {
    while (await this.runBatch()) {
      /* keep going */
    }
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.opts.listenUrl, application_name: 'atrium-outbox-listen' });
    this.listener = client;
    const retry = (reason: string) => {
      if (this.stopped || this.listener !== client) return;
      this.listener = undefined;
      this.logger.warn(`outbox LISTEN connection lost (${reason}); reconnecting`);
      client.end().catch(() => undefined);
      this.reconnectTimer = setTimeout(() => void this.listen(), 1000);
      this.reconnectTimer.unref();
    };
    client.on('error', (err) => retry(err.message));
    client.on('end', () => retry('closed'));
    client.on('notification', () => this.wake());
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      // Anything committed while we were not listening is picked up now rather than at the next poll.
      this.wake();
    } catch (err) {
      retry(errorText(err));
    }
  }

  /** Looks for events now. Coalesces wake-ups: at most one batch loop runs; a wake-up during it makes it look again. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    // The relay itself reads every organization's events (row-level security); each subscriber runs in the scope of
    // the events it handles (inScopeOf).
    this.running = acrossTenants(async () => {
      try {
        do {
          this.again = false;
          while (!this.stopped && (await this.runBatch())) {
            /* keep going while batches make progress */
          }
        } while (this.again && !this.stopped);
      } catch (err) {
        this.logger.error({ err }, 'Outbox relay batch failed');
      } finally {
        this.running = undefined;
      }
    });
  }

  /** Claims and delivers one batch; true when some delivery or state change happened. */
  async runBatch(): Promise<boolean> {
    const qr = this.dataSource.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction();
      const progress = await this.deliverBatch(qr);
      await qr.commitTransaction();
      return progress;
    } catch (err) {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await qr.release();
    }
  }

  private async deliverBatch(qr: QueryRunner): Promise<boolean> {
    // One round trip: the claimed rows with what each subscriber has already done (processed, parked, retrying).
    const events = (await qr.query(
      `WITH claimed AS (
         SELECT id, seq, name, organization_id, actor_id, payload, rooms, request_id, created_at
           FROM outbox_events
          WHERE delivered_at IS NULL AND available_at <= now() AND scope = $2
          ORDER BY seq
          LIMIT $1
          FOR NO KEY UPDATE SKIP LOCKED
       )
       SELECT c.*, now() AS now,
              ARRAY(SELECT p.subscriber FROM processed_events p WHERE p.event_id = c.id
                    UNION ALL
                    SELECT d.subscriber FROM outbox_deliveries d WHERE d.event_id = c.id AND d.parked_at IS NOT NULL) AS settled,
              (SELECT coalesce(json_agg(json_build_object('subscriber', d.subscriber, 'at', d.next_attempt_at)), '[]')
                 FROM outbox_deliveries d WHERE d.event_id = c.id AND d.parked_at IS NULL) AS retrying
         FROM claimed c
        ORDER BY c.seq`,
      [this.opts.batchSize ?? 200, this.outbox.scope],
    )) as ClaimedRow[];
    if (!events.length) return false;
    const now = events[0].now;
    const settled = new Set(events.flatMap((e) => e.settled.map((sub) => `${e.id}|${sub}`)));
    const retryAt = new Map(events.flatMap((e) => e.retrying.map((r) => [`${e.id}|${r.subscriber}`, new Date(r.at)] as const)));
    const blocks = await this.earlierPending(qr, events, now);

    let progress = false;
    const waits = new Map<string, Date[]>();
    const wait = (id: string, until: Date) => waits.set(id, [...(waits.get(id) ?? []), until]);
    const rows = events.map((row) => ({ row, event: toEvent(row), seq: BigInt(row.seq) }));
    // Subscriber by subscriber: each is independent of the others; within one, events go in seq order.
    for (const sub of this.outbox.registered()) {
      const ready: typeof rows = [];
      for (const r of rows) {
        if (!wants(sub, r.event) || settled.has(`${r.event.id}|${sub.name}`)) continue;
        const orderKey = orderKeyOf(r.row, sub);
        const block = orderKey ? blocks.get(orderKey) : undefined;
        if (block && block.seq < r.seq) {
          wait(r.event.id, block.until ?? now);
          continue;
        }
        const due = retryAt.get(`${r.event.id}|${sub.name}`);
        if (due && due > now) {
          if (orderKey) blocks.set(orderKey, { seq: r.seq, until: due });
          wait(r.event.id, due);
          continue;
        }
        ready.push(r);
      }
      if (!ready.length) continue;
      progress = true;
      // The common case, everything succeeds, costs one transaction per subscriber and batch; a failure
      // redoes the events one at a time, so only the failing one (and its organization's later ones) waits.
      if (ready.length > 1 && (await this.deliverAll(sub, ready))) continue;
      for (const r of ready) {
        const orderKey = orderKeyOf(r.row, sub);
        const block = orderKey ? blocks.get(orderKey) : undefined;
        if (block && block.seq < r.seq) {
          wait(r.event.id, block.until ?? now);
          continue;
        }
        const failure = await this.deliver(r.event, sub);
        if (!failure) continue;
        const next = await this.recordFailure(qr, r.event, sub, failure);
        if (next) {
          if (orderKey) blocks.set(orderKey, { seq: r.seq, until: next });
          wait(r.event.id, next);
        }
      }
    }
    const delivered: string[] = [];
    for (const { event } of rows) {
      const pending = waits.get(event.id);
      if (!pending) delivered.push(event.id);
      else {
        const until = new Date(Math.min(...pending.map((d) => d.getTime())));
        if (until > now) await qr.query(`UPDATE outbox_events SET available_at = $2 WHERE id = $1`, [event.id, until]);
      }
    }
    if (delivered.length) {
      await qr.query(`UPDATE outbox_events SET delivered_at = now() WHERE id = ANY($1::uuid[])`, [delivered]);
      progress = true;
    }
    return progress;
  }

  /**
   * For each (organization, subscriber) in the batch, the earliest event outside it that the subscriber has
   * not settled (processed or parked): held by another relay, or waiting for a retry. Later events wait for it.
   */
  private async earlierPending(qr: QueryRunner, events: EventRow[], now: Date): Promise<Map<string, Block>> {
    const blocks = new Map<string, Block>();
    const orgs = [...new Set(events.map((e) => e.organization_id).filter((o): o is string => !!o))];
    if (!orgs.length) return blocks;
    const rows = (await qr.query(
      `SELECT e.seq, e.organization_id, e.name, e.rooms, e.available_at,
              ARRAY(SELECT p.subscriber FROM processed_events p WHERE p.event_id = e.id
                    UNION ALL
                    SELECT d.subscriber FROM outbox_deliveries d WHERE d.event_id = e.id AND d.parked_at IS NOT NULL) AS settled
         FROM outbox_events e
        WHERE e.delivered_at IS NULL AND e.organization_id = ANY($1::uuid[]) AND e.seq < $2 AND e.id <> ALL($3::uuid[])
          AND e.scope = $4
        ORDER BY e.seq`,
      [orgs, events[events.length - 1].seq, events.map((e) => e.id), this.outbox.scope],
    )) as EarlierRow[];
    for (const r of rows) {
      for (const sub of this.outbox.subscribersFor({ name: r.name, rooms: r.rooms, organizationId: r.organization_id })) {
        const key = `${r.organization_id}|${sub.name}`;
        if (r.settled.includes(sub.name) || blocks.has(key)) continue;
        blocks.set(key, { seq: BigInt(r.seq), until: r.available_at > now ? r.available_at : null });
      }
    }
    return blocks;
  }

  /** Runs one subscriber for several events in one transaction; false (and nothing kept) if any failed. */
  private async deliverAll(sub: OutboxSubscriber, ready: Array<{ event: OutboxEvent }>): Promise<boolean> {
    const events = ready.map((r) => r.event);
    try {
      await inScopeOf(events, () =>
        this.dataSource.transaction(async (em) => {
          const fresh = await em.query<Array<{ event_id: string }>>(
            `INSERT INTO processed_events (event_id, subscriber) SELECT unnest($1::uuid[]), $2 ON CONFLICT DO NOTHING RETURNING event_id`,
            [events.map((e) => e.id), sub.name],
          );
          const todo = new Set(fresh.map((r) => r.event_id));
          const batch = events.filter((e) => todo.has(e.id));
          if (sub.handleBatch && batch.length > 1) await this.withTimeout(sub, () => sub.handleBatch!(batch, em));
          else for (const event of batch) await this.handle(sub, event, em);
        }),
      );
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Runs the handler, failing the attempt if it outlasts `handlerTimeoutMs`: a subscriber stuck on a remote call must
   * not stop the relay. Its transaction is then rolled back, so whatever it still does through `em` is not kept.
   */
  private async handle(sub: OutboxSubscriber, event: OutboxEvent, em: EntityManager): Promise<void> {
    await this.withTimeout(sub, () => sub.handle(event, em));
  }

  private async withTimeout(sub: OutboxSubscriber, run: () => Promise<void> | void): Promise<void> {
    const ms = this.opts.handlerTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`subscriber ${sub.name} took longer than ${ms} ms`)), ms);
    });
    try {
      await Promise.race([Promise.resolve().then(run), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs one subscriber for one event in its own transaction; returns the error if it failed. */
  private async deliver(event: OutboxEvent, sub: OutboxSubscriber): Promise<unknown> {
    try {
      await inScopeOf([event], () =>
        this.dataSource.transaction(async (em) => {
          const fresh = await em.query<unknown[]>(
            `INSERT INTO processed_events (event_id, subscriber) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id`,
            [event.id, sub.name],
          );
          // Already processed: a relay died after the subscriber's commit and before marking the event delivered.
          if (!fresh.length) return;
          await this.handle(sub, event, em);
        }),
      );
      return undefined;
    } catch (err) {
      return err ?? new Error('subscriber failed');
    }
  }

  /** Counts a failed attempt; returns when to retry, or undefined when the delivery is now parked. */
  private async recordFailure(qr: QueryRunner, event: OutboxEvent, sub: OutboxSubscriber, err: unknown): Promise<Date | undefined> {
    const base = this.opts.backoffMs ?? 1000;
    const cap = this.opts.maxBackoffMs ?? 3_600_000;
    const [row] = (await qr.query(
      `INSERT INTO outbox_deliveries AS d (event_id, subscriber, attempts, next_attempt_at, last_error, parked_at)
       VALUES ($1, $2, 1, clock_timestamp() + make_interval(secs => $3::float8 / 1000), $5,
               CASE WHEN 1 >= $4::int THEN clock_timestamp() END)
       ON CONFLICT (event_id, subscriber) DO UPDATE SET
         attempts = d.attempts + 1,
         next_attempt_at = clock_timestamp() + make_interval(secs => least($6::float8, $3::float8 * 2 ^ d.attempts) / 1000),
         last_error = EXCLUDED.last_error,
         parked_at = CASE WHEN d.attempts + 1 >= $4::int THEN clock_timestamp() END
       RETURNING attempts, next_attempt_at, parked_at`,
      [event.id, sub.name, base, this.opts.maxAttempts, errorText(err), cap],
    )) as Array<{ attempts: number; next_attempt_at: Date; parked_at: Date | null }>;
    const context = { event_id: event.id, event: event.name, subscriber: sub.name, attempts: row.attempts };
    if (row.parked_at) {
      this.logger.error({ ...context, error: errorText(err) }, 'Outbox delivery parked after repeated failures');
      return undefined;
    }
    this.logger.warn({ ...context, error: errorText(err), retry_at: row.next_attempt_at }, 'Outbox delivery failed; will retry');
    return row.next_attempt_at;
  }
}

/** Events of one organization reach one subscriber in order; events without an organization have no order. */
const orderKeyOf = (row: EventRow, sub: OutboxSubscriber) => (row.organization_id ? `${row.organization_id}|${sub.name}` : undefined);

function toEvent(row: EventRow): OutboxEvent {
  return {
    id: row.id,
    name: row.name,
    organizationId: row.organization_id ?? undefined,
    actorId: row.actor_id ?? undefined,
    payload: row.payload,
    rooms: row.rooms,
    requestId: row.request_id ?? undefined,
    createdAt: row.created_at,
  };
}

/**
 * A subscriber handles an organization's events in that organization's scope (row-level security); events of several
 * organizations in one batch, or of none, are handled across tenants.
 */
function inScopeOf<T>(events: OutboxEvent[], work: () => Promise<T>): Promise<T> {
  const organizationId = events[0]?.organizationId;
  const one = organizationId && events.every((e) => e.organizationId === organizationId);
  return one ? withTenant(organizationId, work) : acrossTenants(work);
}
