import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inject } from 'vitest';
import { createDataSource, Outbox, OutboxRelay, pruneOutbox, type OutboxEvent, type OutboxRelayOptions } from '@atrium/platform';
import { dropDatabase, openScratchDatabase } from '../support/scratch-database.js';

// The outbox is shared by every process on a database, and other spec files run apps (with relays) on the run's
// database in parallel: this file gets a database of its own, so only its relays deliver its events.
let url: string;
const sources: DataSource[] = [];

async function openSource(): Promise<DataSource> {
  const ds = createDataSource({ url, entities: [], migrations: [], poolSize: 6, applicationName: 'atrium-outbox-spec' });
  await ds.initialize();
  sources.push(ds);
  return ds;
}

function relayOn(ds: DataSource, outbox: Outbox, opts: Partial<OutboxRelayOptions> = {}): OutboxRelay {
  return new OutboxRelay(ds, outbox, { listenUrl: url, pollIntervalMs: 200, maxAttempts: 8, backoffMs: 10, ...opts });
}

/** A subscriber whose effect is a row written in its own transaction, so a duplicate effect shows as a second row. */
function recording(name: string, events: string[] | '*' = '*', before?: (event: OutboxEvent) => void) {
  return {
    name,
    events,
    handle: async (event: OutboxEvent, em: EntityManager) => {
      before?.(event);
      await em.query(`INSERT INTO outbox_test_effects (event_id, subscriber, organization_id, i) VALUES ($1, $2, $3, $4)`, [
        event.id,
        name,
        event.organizationId ?? null,
        (event.payload as { i?: number }).i ?? null,
      ]);
    },
  };
}

async function effects(ds: DataSource, where = 'true', params: unknown[] = []) {
  return await ds.query<
    Array<{
      event_id: string;
      subscriber: string;
      organization_id: string | null;
      i: number | null;
    }>
  >(`SELECT event_id, subscriber, organization_id, i FROM outbox_test_effects WHERE ${where} ORDER BY n`, params);
}

/** Polls `probe` until it returns true; fails after `ms`. */
async function eventually(probe: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

function add(ds: DataSource, outbox: Outbox, event: Parameters<Outbox['add']>[1]): Promise<string> {
  return ds.transaction(async (em) => outbox.add(em, event));
}

beforeAll(async () => {
  // Retries and parking log on purpose here; the parking test reads the log calls through a spy.
  Logger.overrideLogger(['fatal']);
  const runUrl = new URL(inject('databaseUrl'));
  // A fixed name (dropped first), so a run that could not clean up leaves one database behind, not one per run.
  runUrl.pathname = `${runUrl.pathname}_outbox_spec`;
  await dropDatabase(runUrl.toString());
  url = (await openScratchDatabase('outbox', runUrl.toString())).url;
  const ds = await openSource();
  await ds.query(`CREATE TABLE IF NOT EXISTS outbox_test_effects (
    n bigserial PRIMARY KEY, event_id uuid NOT NULL, subscriber text NOT NULL, organization_id uuid, i int)`);
});

afterAll(async () => {
  await Promise.all(sources.map((ds) => ds.destroy()));
  if (url) await dropDatabase(url);
});

describe('transactional outbox', () => {
  it('keeps no event from a rolled-back transaction, and delivers the committed one after it', async () => {
    const ds = await openSource();
    const outbox = new Outbox();
    outbox.subscribe(recording('rollback-check', ['test.rollback']));
    let rolledBack = '';
    await expect(
      ds.transaction(async (em) => {
        rolledBack = outbox.add(em, { name: 'test.rollback', organizationId: randomUUID(), payload: { i: 1 } });
        throw new Error('the change fails');
      }),
    ).rejects.toThrow('the change fails');
    const committed = await add(ds, outbox, { name: 'test.rollback', organizationId: randomUUID(), payload: { i: 2 } });
    await relayOn(ds, outbox).drain();

    expect(await ds.query(`SELECT id FROM outbox_events WHERE id = $1`, [rolledBack])).toEqual([]);
    expect((await effects(ds, `subscriber = 'rollback-check'`)).map((e) => e.event_id)).toEqual([committed]);
  });

  it('refuses to add outside a transaction, where the event could outlive a failed change', async () => {
    const ds = await openSource();
    expect(() => new Outbox().add(ds.manager, { name: 'test.loose', payload: {} })).toThrow(/inside a transaction/);
  });

  it('fails an attempt that outlasts the handler timeout, rolls back what it wrote, and retries it', async () => {
    const ds = await openSource();
    const outbox = new Outbox();
    let calls = 0;
    outbox.subscribe({
      name: 'slow',
      events: ['test.slow'],
      handle: async (event, em) => {
        calls++;
        await em.query(`INSERT INTO outbox_test_effects (event_id, subscriber) VALUES ($1, 'slow')`, [event.id]);
        if (calls === 1) await new Promise((r) => setTimeout(r, 1500));
      },
    });
    const id = await add(ds, outbox, { name: 'test.slow', organizationId: randomUUID(), payload: {} });
    const relay = relayOn(ds, outbox, { handlerTimeoutMs: 200 });
    await relay.drain();
    const [first] = await ds.query(`SELECT attempts, last_error FROM outbox_deliveries WHERE event_id = $1`, [id]);
    expect(first.attempts).toBe(1);
    expect(first.last_error).toMatch(/took longer than 200 ms/);
    await ds.query(`UPDATE outbox_events SET available_at = now() WHERE id = $1`, [id]);
    await ds.query(`UPDATE outbox_deliveries SET next_attempt_at = now() WHERE event_id = $1`, [id]);
    await relay.drain();
    expect(calls).toBe(2);
    expect(await effects(ds, 'event_id = $1', [id])).toHaveLength(1);
  });

  it('hands a batch to a subscriber’s handleBatch in one call, and falls back to handle per event when it throws', async () => {
    const ds = await openSource();
    const outbox = new Outbox();
    const calls: number[] = [];
    const base = recording('batched', ['test.batch']);
    outbox.subscribe({
      ...base,
      handleBatch: async (events, em) => {
        calls.push(events.length);
        for (const e of events) await base.handle(e, em);
        if (events.some((e) => (e.payload as { i: number }).i === 99)) throw new Error('one bad event');
      },
    });
    const organizationId = randomUUID();
    const ids: string[] = [];
    await ds.transaction(async (em) => {
      for (let i = 1; i <= 5; i++) ids.push(outbox.add(em, { name: 'test.batch', organizationId, payload: { i } }));
    });
    await relayOn(ds, outbox).drain();
    expect(calls).toEqual([5]);
    expect((await effects(ds, `subscriber = 'batched'`)).map((e) => e.event_id)).toEqual(ids);

    // A throwing batch keeps nothing of it; each event is then delivered through handle, once.
    const again: string[] = [];
    await ds.transaction(async (em) => {
      for (const i of [7, 99]) again.push(outbox.add(em, { name: 'test.batch', organizationId, payload: { i } }));
    });
    await relayOn(ds, outbox).drain();
    expect(calls).toEqual([5, 2]);
    expect((await effects(ds, `subscriber = 'batched'`)).map((e) => e.event_id)).toEqual([...ids, ...again]);
  });

  it('skips a subscriber for events its envelope filter refuses: no processed row, nothing held back', async () => {
    const ds = await openSource();
    const outbox = new Outbox();
    outbox.subscribe({ ...recording('roomy', ['test.filter']), accepts: (e) => !!e.rooms?.length });
    const organizationId = randomUUID();
    const refused = await add(ds, outbox, { name: 'test.filter', organizationId, payload: { i: 1 } });
    const accepted = await add(ds, outbox, { name: 'test.filter', organizationId, payload: { i: 2 }, rooms: ['org:x'] });
    await relayOn(ds, outbox).drain();
    expect((await effects(ds, `subscriber = 'roomy'`)).map((e) => e.event_id)).toEqual([accepted]);
    const marks = await ds.query(`SELECT event_id FROM processed_events WHERE subscriber = 'roomy'`);
    expect(marks).toEqual([{ event_id: accepted }]);
    const delivered = await ds.query(`SELECT id FROM outbox_events WHERE id = ANY($1::uuid[]) AND delivered_at IS NOT NULL`, [
      [refused, accepted],
    ]);
    expect(delivered).toHaveLength(2);
  });

  it('drops the events of a rolled-back savepoint and keeps those of the enclosing transaction', async () => {
    const ds = await openSource();
    const outbox = new Outbox();
    const organizationId = randomUUID();
    const kept: string[] = [];
    let dropped = '';
    let dropped2 = '';
    await ds.transaction(async (em) => {
      kept.push(outbox.add(em, { name: 'test.savepoint', organizationId, payload: { i: 1 } }));
      await em
        .transaction(async (inner) => {
          dropped = outbox.add(inner, { name: 'test.savepoint', organizationId, payload: { i: 2 } });
          throw new Error('the inner change fails');
        })
        .catch(() => undefined);
      await em.transaction(async (inner) => {
        kept.push(outbox.add(inner, { name: 'test.savepoint', organizationId, payload: { i: 3 } }));
      });
      // A later savepoint at the same depth that rolls back drops only its own event, not the released one's above.
      await em
        .transaction(async (inner) => {
          dropped2 = outbox.add(inner, { name: 'test.savepoint', organizationId, payload: { i: 4 } });
          throw new Error('another inner change fails');
        })
        .catch(() => undefined);
    });
    const rows = await ds.query<Array<{ id: string }>>(`SELECT id FROM outbox_events WHERE organization_id = $1 ORDER BY seq`, [
      organizationId,
    ]);
    expect(rows.map((r) => r.id)).toEqual(kept);
    expect(kept).not.toContain(dropped);
    expect(kept).not.toContain(dropped2);
  });

  it('orders an event after the change its transaction read, even when it was added before reading it', async () => {
    const ds = await openSource();
    const outbox = new Outbox();
    const organizationId = randomUUID();
    const delivered: number[] = [];
    outbox.subscribe(recording('causal', ['test.causal'], (e) => delivered.push((e.payload as { i: number }).i)));
    await ds.query(`CREATE TABLE IF NOT EXISTS outbox_test_flags (organization_id uuid PRIMARY KEY)`);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // The first transaction adds its event, then waits, then reads what the second committed meanwhile.
    const first = ds.transaction(async (em) => {
      outbox.add(em, { name: 'test.causal', organizationId, payload: { i: 2 } });
      await gate;
      const seen = await em.query(`SELECT 1 FROM outbox_test_flags WHERE organization_id = $1`, [organizationId]);
      expect(seen).toHaveLength(1);
    });
    await ds.transaction(async (em) => {
      await em.query(`INSERT INTO outbox_test_flags (organization_id) VALUES ($1)`, [organizationId]);
      outbox.add(em, { name: 'test.causal', organizationId, payload: { i: 1 } });
    });
    release();
    await first;
    await relayOn(ds, outbox).drain();
    expect(delivered).toEqual([1, 2]);
  });

  it('wakes a started relay through NOTIFY on commit, well before its next poll', async () => {
    const ds = await openSource();
    const outbox = new Outbox();
    outbox.subscribe(recording('notified', ['test.notify']));
    const relay = relayOn(ds, outbox, { pollIntervalMs: 60_000 });
    await relay.start();
    try {
      const started = Date.now();
      const id = await add(ds, outbox, { name: 'test.notify', organizationId: randomUUID(), payload: {} });
      await eventually(async () => (await effects(ds, 'event_id = $1', [id])).length === 1, 5000);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await relay.stop();
    }
  });

  it('reconnects its LISTEN connection when it drops, and is woken by NOTIFY again', async () => {
    const ds = await openSource();
    const outbox = new Outbox();
    outbox.subscribe(recording('relisten', ['test.relisten']));
    const relay = relayOn(ds, outbox, { pollIntervalMs: 60_000 });
    await relay.start();
    const listeners = async () =>
      (
        await ds.query<Array<{ pid: number }>>(
          `SELECT pid FROM pg_stat_activity WHERE application_name = 'atrium-outbox-listen' AND datname = current_database()`,
        )
      ).map((r) => r.pid);
    try {
      const [before] = await listeners();
      await ds.query(`SELECT pg_terminate_backend($1)`, [before]);
      await eventually(async () => {
        const now = await listeners();
        return now.length === 1 && now[0] !== before;
      });
      const id = await add(ds, outbox, { name: 'test.relisten', organizationId: randomUUID(), payload: {} });
      await eventually(async () => (await effects(ds, 'event_id = $1', [id])).length === 1, 5000);
    } finally {
      await relay.stop();
    }
  });

  it('delivers an event whose writer was SIGKILLed right after commit, once', async () => {
    const ds = await openSource();
    const id = await runChildUntil('commit', 'committed');
    const outbox = new Outbox();
    outbox.subscribe(recording('effects', ['test.crash']));
    await relayOn(ds, outbox).drain();
    expect(await effects(ds, 'event_id = $1', [id])).toHaveLength(1);
    const [row] = await ds.query<Array<{ delivered_at: Date | null }>>(`SELECT delivered_at FROM outbox_events WHERE id = $1`, [id]);
    expect(row.delivered_at).not.toBeNull();
  });

  it('redelivers an event whose relay was SIGKILLed mid-delivery: each subscriber effect happens once', async () => {
    const ds = await openSource();
    const id = await runChildUntil('mid-handler', 'handling');
    // The child's `effects` committed; its `stuck` was killed inside its transaction.
    expect((await effects(ds, 'event_id = $1', [id])).map((e) => e.subscriber)).toEqual(['effects']);
    const outbox = new Outbox();
    outbox.subscribe(recording('effects', ['test.crash']));
    outbox.subscribe(recording('stuck', ['test.crash']));
    const relay = relayOn(ds, outbox);
    // The killed relay's transactions end when PostgreSQL notices the closed connection; until then the row stays locked.
    await eventually(async () => {
      await relay.drain();
      const [row] = await ds.query<Array<{ delivered_at: Date | null }>>(`SELECT delivered_at FROM outbox_events WHERE id = $1`, [id]);
      return row.delivered_at !== null;
    });
    expect((await effects(ds, 'event_id = $1', [id])).map((e) => e.subscriber)).toEqual(['effects', 'stuck']);
  });

  it('two relays on one database deliver 500 events over 5 organizations once per subscriber, in order per organization', async () => {
    const orgs = Array.from({ length: 5 }, () => randomUUID());
    const relays: OutboxRelay[] = [];
    for (let r = 0; r < 2; r++) {
      const outbox = new Outbox();
      outbox.subscribe(recording('first', ['test.bulk']));
      outbox.subscribe(recording('second', ['test.bulk']));
      relays.push(relayOn(await openSource(), outbox, { batchSize: 20 }));
    }
    await Promise.all(relays.map((r) => r.start()));
    try {
      const writer = await openSource();
      const outbox = new Outbox();
      // Each organization's events are written one transaction after another, organizations concurrently.
      await Promise.all(
        orgs.map(async (organizationId) => {
          for (let i = 0; i < 100; i++) await add(writer, outbox, { name: 'test.bulk', organizationId, payload: { i } });
        }),
      );
      const ds = sources[0];
      await eventually(async () => (await effects(ds, 'organization_id = ANY($1::uuid[])', [orgs])).length >= 1000, 30_000);
      const rows = await effects(ds, 'organization_id = ANY($1::uuid[])', [orgs]);
      expect(rows).toHaveLength(1000);
      expect(new Set(rows.map((r) => `${r.event_id}|${r.subscriber}`)).size).toBe(1000);
      for (const org of orgs) {
        for (const sub of ['first', 'second']) {
          const seen = rows.filter((r) => r.organization_id === org && r.subscriber === sub).map((r) => r.i);
          expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i));
        }
      }
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
    }
  });

  it('retries a subscriber that fails three times, and its effect happens once', async () => {
    const ds = await openSource();
    const outbox = new Outbox();
    let failures = 0;
    outbox.subscribe(
      recording('flaky', ['test.flaky'], () => {
        if (failures < 3) {
          failures++;
          throw new Error('downstream unavailable');
        }
      }),
    );
    const relay = relayOn(ds, outbox);
    await relay.start();
    try {
      const id = await add(ds, outbox, { name: 'test.flaky', organizationId: randomUUID(), payload: {} });
      await eventually(async () => (await effects(ds, 'event_id = $1', [id])).length > 0);
      const [delivery] = await ds.query<
        Array<{
          attempts: number;
          parked_at: Date | null;
        }>
      >(`SELECT attempts, parked_at FROM outbox_deliveries WHERE event_id = $1`, [id]);
      expect(delivery).toMatchObject({ attempts: 3, parked_at: null });
      await eventually(async () => {
        const [row] = await ds.query<
          Array<{
            delivered_at: Date | null;
          }>
        >(`SELECT delivered_at FROM outbox_events WHERE id = $1`, [id]);
        return row.delivered_at !== null;
      });
      expect(await effects(ds, 'event_id = $1', [id])).toHaveLength(1);
      expect(failures).toBe(3);
    } finally {
      await relay.stop();
    }
  });

  it('parks a subscriber that always fails after N attempts, without holding up other subscribers or organizations', async () => {
    const ds = await openSource();
    const outbox = new Outbox();
    const poisoned = randomUUID();
    const healthy = randomUUID();
    outbox.subscribe(
      recording('picky', ['test.poison'], (event) => {
        if (event.organizationId === poisoned) throw new Error('cannot handle this organization');
      }),
    );
    outbox.subscribe(recording('steady', ['test.poison']));
    const errors = vi.spyOn(Logger.prototype, 'error');
    // A long backoff: while the first failure waits for its retry, everything it must not block is delivered.
    const relay = relayOn(ds, outbox, { backoffMs: 60_000, maxAttempts: 3 });
    const first = await add(ds, outbox, { name: 'test.poison', organizationId: poisoned, payload: { i: 0, token: 'secret-token-123' } });
    const later = await add(ds, outbox, { name: 'test.poison', organizationId: poisoned, payload: { i: 1 } });
    const other = await add(ds, outbox, { name: 'test.poison', organizationId: healthy, payload: { i: 0 } });
    await relay.drain();
    expect(
      (await effects(ds, `subscriber = 'steady' AND organization_id = ANY($1::uuid[])`, [[poisoned, healthy]])).map((e) => e.event_id),
    ).toEqual([first, later, other]);
    expect(
      (await effects(ds, `subscriber = 'picky' AND organization_id = ANY($1::uuid[])`, [[poisoned, healthy]])).map((e) => e.event_id),
    ).toEqual([other]);

    // Time passes: make every retry due, until the failing deliveries are parked.
    for (let round = 0; round < 6; round++) {
      await ds.query(`UPDATE outbox_deliveries SET next_attempt_at = now() WHERE event_id = ANY($1::uuid[])`, [[first, later]]);
      await ds.query(`UPDATE outbox_events SET available_at = now() WHERE id = ANY($1::uuid[])`, [[first, later]]);
      await relay.drain();
    }
    const deliveries = await ds.query<
      Array<{ event_id: string; subscriber: string; attempts: number; last_error: string; parked_at: Date | null }>
    >(
      `SELECT event_id, subscriber, attempts, last_error, parked_at FROM outbox_deliveries WHERE event_id = ANY($1::uuid[]) ORDER BY event_id = $2 DESC`,
      [[first, later], first],
    );
    expect(deliveries).toHaveLength(2);
    for (const d of deliveries) {
      expect(d).toMatchObject({ subscriber: 'picky', attempts: 3, last_error: 'Error: cannot handle this organization' });
      expect(d.parked_at).not.toBeNull();
    }
    const events = await ds.query<
      Array<{
        delivered_at: Date | null;
      }>
    >(`SELECT delivered_at FROM outbox_events WHERE id = ANY($1::uuid[])`, [[first, later]]);
    expect(events.every((e) => e.delivered_at !== null)).toBe(true);
    const parkedLogs = errors.mock.calls.filter((c) => c[1] === 'Outbox delivery parked after repeated failures');
    expect(parkedLogs.map((c) => (c[0] as { event_id: string }).event_id).sort()).toEqual([first, later].sort());
    expect(JSON.stringify(parkedLogs)).not.toContain('secret-token-123');
    errors.mockRestore();
  });

  it('prunes delivered events past the retention with their processed marks, and keeps the rest', async () => {
    const ds = await openSource();
    const outbox = new Outbox();
    const old = await add(ds, outbox, { name: 'test.prune', payload: {} });
    const recent = await add(ds, outbox, { name: 'test.prune', payload: {} });
    const pending = await add(ds, outbox, { name: 'test.prune', payload: {} });
    await ds.query(`INSERT INTO processed_events (event_id, subscriber) VALUES ($1, 'x'), ($2, 'x')`, [old, recent]);
    await ds.query(`UPDATE outbox_events SET delivered_at = now() - interval '8 days' WHERE id = $1`, [old]);
    await ds.query(`UPDATE outbox_events SET delivered_at = now() - interval '6 days' WHERE id = $1`, [recent]);
    await ds.query(`UPDATE outbox_events SET created_at = now() - interval '30 days' WHERE id = $1`, [pending]);

    expect(await pruneOutbox(ds, 7, 1)).toBeGreaterThanOrEqual(1);
    const left = await ds.query<
      Array<{
        id: string;
      }>
    >(`SELECT id FROM outbox_events WHERE id = ANY($1::uuid[])`, [[old, recent, pending]]);
    expect(left.map((r) => r.id).sort()).toEqual([recent, pending].sort());
    expect(await ds.query(`SELECT subscriber FROM processed_events WHERE event_id = $1`, [old])).toEqual([]);
  });
});

/** Runs the crash child and SIGKILLs it as soon as it prints `marker`; resolves with the event id it printed. */
async function runChildUntil(mode: string, marker: string): Promise<string> {
  const child = spawn(process.execPath, ['--import', './bench/register.mjs', 'test/support/outbox-child.ts', url, mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  let id: string | undefined;
  for await (const line of createInterface({ input: child.stdout })) {
    const [word, value] = line.split(' ');
    if (word === marker) {
      id = value;
      child.kill('SIGKILL');
      break;
    }
  }
  expect(await exited).toBe('SIGKILL');
  if (!id) throw new Error(`the child exited before printing ${marker}`);
  return id;
}
