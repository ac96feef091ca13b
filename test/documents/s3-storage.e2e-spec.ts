import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, S3BlobStorage } from '@atrium/platform';
import { loadStorageConfig } from '@atrium/platform';
import { streamUpload, uploadFile } from '../support/documents.js';
import { freePort } from '../support/free-port.js';
import { dataSource, registerOrg, setPackage } from '../support/members.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** The S3 driver end to end against s3rver (a local S3 implementation) started here. */

const BUCKET = 'atrium-documents-test';
const MIB = 1024 * 1024;
let s3: S3rver;
let s3Dir: string;
let endpoint: string;
let t: TestApp;
let client: S3Client;

beforeAll(async () => {
  s3Dir = mkdtempSync(join(tmpdir(), 'atrium-s3rver-'));
  const port = await freePort();
  s3 = new S3rver({ address: '127.0.0.1', port, silent: true, directory: s3Dir, configureBuckets: [{ name: BUCKET }] });
  await s3.run();
  endpoint = `http://127.0.0.1:${port}`;
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  t = await startTestApp({
    STORAGE_DRIVER: 's3',
    S3_ENDPOINT: endpoint,
    S3_BUCKET: BUCKET,
    S3_ACCESS_KEY_ID: credentials.accessKeyId,
    S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  });
  client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
});
afterAll(async () => {
  client?.destroy();
  await t?.close();
  await s3?.close();
  rmSync(s3Dir, { recursive: true, force: true });
});

async function objectSize(key: string): Promise<number | null> {
  try {
    return (await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).ContentLength ?? null;
  } catch {
    return null;
  }
}

const keyOf = async (id: string): Promise<string> =>
  (await dataSource(t).query(`SELECT storage_key FROM documents WHERE id = $1`, [id]))[0].storage_key;

describe('the S3 storage driver', () => {
  it('stores a multipart-sized upload as the exact bytes, serves ranges from it, and deletes it', async () => {
    const owner = await registerOrg(t.http);
    await setPackage(t, owner.organizationId, 'basic');
    const size = 20 * MIB + 123; // three 8 MiB parts
    const up = await streamUpload(t.url, owner.accessToken, size);
    expect(up.status).toBe(201);
    expect(up.body.data).toMatchObject({ size, checksum: up.sha256 });
    const key = await keyOf(up.body.data.id);
    expect(await objectSize(key)).toBe(size);

    const auth = { authorization: `Bearer ${owner.accessToken}` };
    const whole = await fetch(`${t.url}/api/v1/organizations/me/documents/${up.body.data.id}/download`, { headers: auth });
    expect(whole.status).toBe(200);
    expect(
      createHash('sha256')
        .update(Buffer.from(await whole.arrayBuffer()))
        .digest('hex'),
    ).toBe(up.sha256);
    const part = await fetch(`${t.url}/api/v1/organizations/me/documents/${up.body.data.id}/download`, {
      headers: { ...auth, range: 'bytes=0-7' },
    });
    expect([part.status, part.headers.get('content-range'), Buffer.from(await part.arrayBuffer()).toString('latin1')]).toEqual([
      206,
      `bytes 0-7/${size}`,
      '%PDF-1.7',
    ]);

    expect((await t.http.delete(`/organizations/me/documents/${up.body.data.id}`, undefined, { token: owner.accessToken })).status).toBe(
      204,
    );
    expect(await objectSize(key)).toBeNull();
  }, 120_000);

  it('leaves no object behind when an upload is refused', async () => {
    const owner = await registerOrg(t.http);
    const refused = await uploadFile(t.url, owner.accessToken, 'page.html', Buffer.from('<!DOCTYPE html><html><body>x</body></html>'));
    expect(refused.status).toBe(415);
    const small = await uploadFile(t.url, owner.accessToken, 'ok.txt', Buffer.from('kept in S3'));
    expect(small.status).toBe(201);
    expect(await objectSize(await keyOf(small.body.data.id))).toBe(10);
    const [{ n }] = await dataSource(t).query(`SELECT count(*)::int AS n FROM document_pending_blobs WHERE organization_id = $1`, [
      owner.organizationId,
    ]);
    expect(n).toBe(0);
  });

  it('reads and deletes through the driver directly: a missing object stats as null and deletes without error', async () => {
    const storage = new S3BlobStorage({
      bucket: BUCKET,
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    try {
      expect(await storage.stat('missing/key')).toBeNull();
      await storage.delete('missing/key');
    } finally {
      storage.close();
    }
  });
});

describe('storage settings', () => {
  const app = loadConfig({ NODE_ENV: 'test', DATA_DIR: tmpdir(), JWT_SECRET: 'x'.repeat(32), ENCRYPTION_KEY: '7f'.repeat(32) });

  it('defaults to the local driver under DATA_DIR/uploads', () => {
    expect(loadStorageConfig(app, {})).toEqual({ driver: 'local', root: join(app.dataDir, 'uploads') });
  });

  it('names every missing or bad S3 setting', () => {
    expect(() => loadStorageConfig(app, { STORAGE_DRIVER: 's3', S3_ENDPOINT: 'ftp://x', S3_ACCESS_KEY_ID: 'only-one' })).toThrow(
      /S3_ENDPOINT must be an http\(s\) URL[\s\S]*S3_BUCKET: required when STORAGE_DRIVER=s3[\s\S]*give both/,
    );
    expect(() => loadStorageConfig(app, { STORAGE_DRIVER: 'disk' })).toThrow(/STORAGE_DRIVER must be local or s3/);
  });
});
