import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookHandlerRegistry } from '@atrium/integrations';
import { eventually } from '../support/billing.js';
import { registerOrg, type RegisteredOrg } from '../support/factories.js';
import { createProvider, sendSigned, unlimitedProviders } from '../support/integrations.js';
import { db } from '../support/security.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let owner: RegisteredOrg;

beforeAll(async () => {
  t = await startTestApp();
  await db(t).query(`CREATE TABLE IF NOT EXISTS test_ingest_effects (event_id uuid PRIMARY KEY, external_id text NOT NULL)`);
  t.app.get(WebhookHandlerRegistry).register('ingest.counted', {
    // No ON CONFLICT: a second effect for one event would fail its attempt and show.
    handle: async (event, em: EntityManager) => {
      await em.query(`INSERT INTO test_ingest_effects (event_id, external_id) VALUES ($1, $2)`, [event.id, event.externalId]);
    },
  });
  owner = await registerOrg(t.http);
  await unlimitedProviders(t, owner.organizationId);
});
afterAll(async () => {
  await t?.close();
});

/** Runs `tasks` with at most `width` in flight. */
async function inFlight<T>(tasks: Array<() => Promise<T>>, width: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]();
      }
    }),
  );
  return results;
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

describe('1,000 distinct events, each sent 3 times, concurrently and shuffled', () => {
  it('are stored exactly 1,000 times and processed exactly 1,000 times; every copy is answered 200 with its event’s id', async () => {
    const p = await createProvider(t, owner, { name: 'burst', signature_scheme: 'standard-webhooks' });
    const ids = Array.from({ length: 1000 }, () => `msg_${randomUUID()}`);
    const sends = shuffle(ids.flatMap((id) => [id, id, id])).map(
      (id) => () =>
        sendSigned(
          t,
          `/webhooks/${owner.organizationId}/burst`,
          'standard-webhooks',
          p.secret,
          { type: 'ingest.counted', ref: id },
          { eventId: id },
        ).then((res) => ({
          id,
          status: res.status,
          eventId: res.body.data?.event_id as string,
          duplicate: res.body.data?.duplicate as boolean,
        })),
    );
    const answers = await inFlight(sends, 50);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    const byId = new Map<string, Set<string>>();
    for (const a of answers) byId.set(a.id, (byId.get(a.id) ?? new Set()).add(a.eventId));
    // The three copies of an event were answered with one event id, and exactly one copy was the first.
    expect([...byId.values()].every((s) => s.size === 1)).toBe(true);
    expect(answers.filter((a) => !a.duplicate)).toHaveLength(1000);

    const [{ n: stored }] = await db(t).query(`SELECT count(*)::int AS n FROM webhook_events WHERE provider_id = $1`, [p.id]);
    expect(stored).toBe(1000);
    const processed = await eventually(
      async () => {
        const [row] = await db(t).query(
          `SELECT count(*) FILTER (WHERE status = 'completed')::int AS completed, count(*)::int AS total FROM webhook_events WHERE provider_id = $1`,
          [p.id],
        );
        return row.completed === 1000 ? row : undefined;
      },
      '1,000 events processed',
      120_000,
    );
    expect(processed).toEqual({ completed: 1000, total: 1000 });
    const [{ n: effects, distinct }] = await db(t).query(
      `SELECT count(*)::int AS n, count(DISTINCT x.external_id)::int AS distinct FROM test_ingest_effects x JOIN webhook_events e ON e.id = x.event_id WHERE e.provider_id = $1`,
      [p.id],
    );
    expect({ effects, distinct }).toEqual({ effects: 1000, distinct: 1000 });
    const [{ n: attempts }] = await db(t).query(
      `SELECT count(*)::int AS n FROM webhook_event_attempts a JOIN webhook_events e ON e.id = a.event_id WHERE e.provider_id = $1`,
      [p.id],
    );
    expect(attempts).toBe(1000);
  }, 180_000);
});

describe('the per-provider rate limit', () => {
  let limited: TestApp;

  beforeAll(async () => {
    limited = await startTestApp({ WEBHOOK_RATE_LIMIT_PER_MINUTE: '5' });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('answers a noisy provider 429 with Retry-After, storing nothing past its budget, while another provider is still served', async () => {
    const org = await registerOrg(limited.http);
    await unlimitedProviders(limited, org.organizationId);
    const noisy = await createProvider(limited, org, { name: 'noisy' });
    const quiet = await createProvider(limited, org, { name: 'quiet' });
    const send = (name: string, secret: string) =>
      sendSigned(limited, `/webhooks/${org.organizationId}/${name}`, 'hmac-sha256', secret, { event_id: randomUUID(), type: 'x' });

    const burst = await Promise.all(Array.from({ length: 8 }, () => send('noisy', noisy.secret)));
    expect(burst.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    const refused = burst.find((r) => r.status === 429)!;
    expect(refused.body.code).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    const [{ n }] = await db(limited).query(`SELECT count(*)::int AS n FROM webhook_events WHERE provider_id = $1`, [noisy.id]);
    expect(n).toBe(5);

    const served = await send('quiet', quiet.secret);
    expect(served.status).toBe(200);
    expect(served.headers.get('x-ratelimit-remaining')).not.toBeNull();
    // Forged webhooks do not spend a provider's budget: only authentic ones count.
    const forged = await send('quiet', noisy.secret);
    expect(forged.status).toBe(401);
    const stillServed = await Promise.all(Array.from({ length: 4 }, () => send('quiet', quiet.secret)));
    expect(stillServed.map((r) => r.status)).toEqual([200, 200, 200, 200]);
  });
});
