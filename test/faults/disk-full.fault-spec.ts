import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STRONG_PASSWORD, uniqueEmail } from '../support/factories.js';
import { uploadFile } from '../support/documents.js';
import { spread, Sql } from './support/deployment.js';
import { type AppProcess, deploymentEnv, startProcess } from './support/processes.js';
import { type OwnPostgres, startOwnPostgres } from './support/services.js';

/**
 * Uploads onto a full disk: the api's upload directory (DATA_DIR/uploads, the local storage driver) is a 1 MiB
 * tmpfs mounted by the test (it needs root, as CI runs), so a larger file meets ENOSPC half way.
 */
let pgServer: OwnPostgres;
let sql: Sql;
let api: AppProcess;
let dataDir: string;
let uploads: string;

beforeAll(async () => {
  pgServer = await startOwnPostgres();
  sql = new Sql(pgServer.url);
  dataDir = mkdtempSync(join(tmpdir(), 'atrium-fault-disk-'));
  uploads = join(dataDir, 'uploads');
  mkdirSync(uploads);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', uploads]);
  api = await startProcess('api', deploymentEnv(pgServer.url, undefined, { TRUST_PROXY: '127.0.0.0/8', LOG_LEVEL: 'warn' }), { dataDir });
});
afterAll(async () => {
  await api?.stop();
  if (uploads) execFileSync('umount', [uploads]);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  await sql?.end();
  await pgServer?.destroy();
});

/** Bytes in the files under `dir`, at any depth. */
function storedBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .reduce((n, e) => n + statSync(join(e.parentPath, e.name)).size, 0);
}

describe('uploads on a full disk', () => {
  it('answer 503 storage_full, leave no document row and no partial file, and work again once there is room', async () => {
    const http = spread(api.url);
    const email = uniqueEmail('owner');
    const reg = await http.post('/auth/organization/register', {
      organization_name: 'Full Disk Co',
      first_name: 'Olive',
      last_name: 'Owner',
      email,
      password: STRONG_PASSWORD,
    });
    expect(reg.status).toBe(201);
    const token = (await http.post('/auth/login', { email, password: STRONG_PASSWORD })).body.access_token as string;
    await sql.rows(
      `UPDATE organization_subscriptions SET package_id = (SELECT id FROM packages WHERE slug = 'diamond') WHERE organization_id = $1`,
      [reg.body.organization_id],
    );
    const documents = () => sql.count(`SELECT count(*) AS n FROM documents WHERE organization_id = $1`, [reg.body.organization_id]);

    const small = await uploadFile(api.url, token, 'notes.txt', Buffer.from('fits easily\n'), 'Small');
    expect(small.status, JSON.stringify(small.body)).toBe(201);
    const before = storedBytes(uploads);

    const big = await uploadFile(api.url, token, 'big.txt', Buffer.alloc(3 * 1024 * 1024, 'a'), 'Too big for the disk');
    expect([big.status, big.body.code]).toEqual([503, 'storage_full']);
    expect(JSON.stringify(big.body)).not.toMatch(/ENOSPC|uploads|\/tmp/);
    expect(await documents()).toBe(1);
    expect(storedBytes(uploads)).toBe(before);

    const after = await uploadFile(api.url, token, 'later.txt', Buffer.from('room again\n'), 'After');
    expect(after.status, JSON.stringify(after.body)).toBe(201);
    expect(await documents()).toBe(2);
  });
});
