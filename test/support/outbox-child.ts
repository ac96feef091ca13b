// A process the outbox crash test kills with SIGKILL. Run with `node --import ./bench/register.mjs`.
// argv: <database url> <mode> — `commit`: commits one event with no relay running, then idles;
// `mid-handler`: commits one event and runs a relay: subscriber `effects` commits its effect, then subscriber `stuck`
// writes its own and hangs, so the relay dies with one subscriber done and the event not marked delivered.
import 'reflect-metadata';
import { createDataSource, Outbox, OutboxRelay } from '@atrium/platform';

const [url, mode] = process.argv.slice(2);
const ds = createDataSource({ url, entities: [], migrations: [], poolSize: 4, applicationName: 'atrium-outbox-child' });
await ds.initialize();
const outbox = new Outbox();
const organizationId = crypto.randomUUID();
const id = await ds.transaction(async (em) => outbox.add(em, { name: 'test.crash', organizationId, payload: { mode } }));
process.stdout.write(`committed ${id}\n`);
if (mode === 'mid-handler') {
  outbox.subscribe({
    name: 'effects',
    events: ['test.crash'],
    handle: async (event, em) => {
      await em.query(`INSERT INTO outbox_test_effects (event_id, subscriber) VALUES ($1, 'effects')`, [event.id]);
    },
  });
  outbox.subscribe({
    name: 'stuck',
    events: ['test.crash'],
    handle: async (event, em) => {
      await em.query(`INSERT INTO outbox_test_effects (event_id, subscriber) VALUES ($1, 'stuck')`, [event.id]);
      process.stdout.write(`handling ${event.id}\n`);
      await new Promise(() => undefined);
    },
  });
  await new OutboxRelay(ds, outbox, { listenUrl: url, pollIntervalMs: 60_000, maxAttempts: 8 }).start();
}
setInterval(() => undefined, 60_000);
