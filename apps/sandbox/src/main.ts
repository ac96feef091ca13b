import { parseArgs } from 'node:util';
import { startSandbox } from './sandbox.js';

const HELP = `npm run sandbox -- [options]   (each also from the environment: SANDBOX_<NAME>, e.g. SANDBOX_TARGET)
  --port <n>            listen port (default 8000)
  --host <addr>         listen address (default 127.0.0.1)
  --target <url>        Atrium's webhook URL, e.g. http://localhost:3000/api/v1/webhooks/<org>/<provider>
  --secret <s>          the provider's hmac-sha256 secret (X-Signature: sha256=<hex>)
  --org <slug>          sent as X-Tenant-Domain (for a target without the organization)
  --latency <ms>        fault: delay every answer
  --error-rate <0..1>   fault: answer 500 this often
  --down                fault: answer 503 to everything
  --seed <n>            records of each type to start with (default 25)
Fault switches at runtime: curl -X POST <url>/api/mock/faults -H 'content-type: application/json' -d '{"down":true}'`;

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    target: { type: 'string' },
    secret: { type: 'string' },
    org: { type: 'string' },
    latency: { type: 'string' },
    'error-rate': { type: 'string' },
    down: { type: 'boolean' },
    seed: { type: 'string' },
    help: { type: 'boolean' },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const env = (name: string) => process.env[`SANDBOX_${name}`];
const num = (flag: string, value: string | undefined, fallback: number): number => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`--${flag} must be a number ≥ 0, not ${value}\n\n${HELP}`);
    process.exit(2);
  }
  return n;
};
const seed = num('seed', values.seed ?? env('SEED'), 25);
const sandbox = await startSandbox({
  port: num('port', values.port ?? env('PORT'), 8000),
  host: values.host ?? env('HOST'),
  target: values.target ?? env('TARGET'),
  secret: values.secret ?? env('SECRET'),
  organization: values.org ?? env('ORG'),
  faults: {
    latencyMs: num('latency', values.latency ?? env('LATENCY'), 0),
    errorRate: Math.min(1, num('error-rate', values['error-rate'] ?? env('ERROR_RATE'), 0)),
    down: values.down ?? env('DOWN') === 'true',
  },
  seed: { users: seed, subscriptions: seed, notifications: seed },
});
console.log(`Partner sandbox at ${sandbox.baseUrl} (health: ${sandbox.baseUrl}/health)`);
console.log(`Webhooks to ${values.target ?? env('TARGET') ?? 'none (no --target)'}`);
const stop = () => void sandbox.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
