// A data-sync worker the sync spec kills with SIGKILL mid-run. Run with `node --import ./bench/register.mjs`.
// argv: <database url> <run id> <page size>: claims the run and pulls its pages as a worker's job would, printing
// `claimed <outcome>` when it has ended (it is meant to be killed before that).
import 'reflect-metadata';
import { createDataSource } from '@atrium/platform';
import { IntegrationsConfig } from '../../libs/integrations/src/integrations.config.js';
import { SyncRunner } from '../../libs/integrations/src/sync/sync-runner.js';

const [url, runId, pageSize] = process.argv.slice(2);
const ds = createDataSource({ url, entities: [], migrations: [], poolSize: 2, applicationName: 'atrium-sync-child' });
await ds.initialize();
const config = new IntegrationsConfig(
  0,
  1,
  undefined,
  { allowLoopback: true, allowPrivate: false },
  { pageSize: Number(pageSize), leaseMs: 2000 },
);
process.stdout.write('started\n');
const outcome = await new SyncRunner(ds, config).run(runId, () => false);
process.stdout.write(`ended ${outcome}\n`);
setInterval(() => undefined, 60_000);
