import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { DOCUMENTS_QUEUE, PendingBlobs, SWEEP_JOB, SWEEP_SCHEDULER } from '@atrium/documents';
import { BlobStorage, withTenant } from '@atrium/platform';
import { controlClock } from '../support/clock.js';
import { settledJob } from '../support/jobs.js';
import { ALLOWED_SAMPLES, postDocument, REFUSED_SAMPLES, streamUpload, uploadFile } from '../support/documents.js';
import { createMember, dataSource, registerOrg, setPackage } from '../support/members.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const MIB = 1024 * 1024;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const as = (who: { accessToken: string }) => ({ token: who.accessToken });
const uploadsDir = () => join(t.config.dataDir, 'uploads');

/** Every blob stored for the organization (local driver: files under DATA_DIR/uploads/<organization>). */
function blobsOf(organizationId: string): string[] {
  const dir = join(uploadsDir(), organizationId);
  return existsSync(dir) ? readdirSync(dir) : [];
}

async function rowsOf(organizationId: string): Promise<{ documents: number; pending: number }> {
  const [row] = await dataSource(t).query(
    `SELECT (SELECT count(*)::int FROM documents WHERE organization_id = $1) AS documents,
            (SELECT count(*)::int FROM document_pending_blobs WHERE organization_id = $1) AS pending`,
    [organizationId],
  );
  return row;
}

/** Nothing of a refused upload remains: no row, no pending key, no blob. */
async function expectNothingStored(organizationId: string) {
  expect(await rowsOf(organizationId)).toEqual({ documents: 0, pending: 0 });
  expect(blobsOf(organizationId)).toEqual([]);
}

async function download(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.url}/api/v1${path}`, { headers });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

describe('uploading', () => {
  it('accepts each allowed type by its content, stores its checksum and size, and serves the same bytes back', async () => {
    const owner = await registerOrg(t.http);
    for (const [name, bytes, type] of ALLOWED_SAMPLES) {
      const res = await uploadFile(t.url, owner.accessToken, name, bytes, `Sample ${name}`);
      expect(res.status, `${name}: ${JSON.stringify(res.body)}`).toBe(201);
      expect(res.body.data).toMatchObject({
        title: `Sample ${name}`,
        filename: name,
        content_type: type,
        size: bytes.length,
        checksum: sha256(bytes),
      });
      const got = await download(`/organizations/me/documents/${res.body.data.id}/download`, {
        authorization: `Bearer ${owner.accessToken}`,
      });
      expect(got.status).toBe(200);
      expect(got.bytes.equals(bytes)).toBe(true);
      expect(got.headers.get('content-type')).toBe(type);
      expect(got.headers.get('content-length')).toBe(String(bytes.length));
      expect(got.headers.get('x-content-type-options')).toBe('nosniff');
      expect(got.headers.get('etag')).toBe(`"${sha256(bytes)}"`);
      expect(got.headers.get('content-disposition')).toBe(`attachment; filename="${name}"; filename*=UTF-8''${name}`);
    }
    expect((await rowsOf(owner.organizationId)).documents).toBe(ALLOWED_SAMPLES.length);
    // Stored under generated keys, never the uploaded names.
    expect(blobsOf(owner.organizationId).every((k) => /^[0-9a-f-]{36}$/.test(k))).toBe(true);
    const stats = await t.http.get('/organizations/me/stats', as(owner));
    expect(stats.body.data.storage_used_bytes).toBe(ALLOWED_SAMPLES.reduce((n, [, b]) => n + b.length, 0));
  });

  it.each(REFUSED_SAMPLES)('refuses %s with 415 and stores nothing', async (_why, name, bytes) => {
    const owner = await registerOrg(t.http);
    const res = await uploadFile(t.url, owner.accessToken, name, bytes);
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('unsupported_file_type');
    await expectNothingStored(owner.organizationId);
  });

  it('refuses a client Content-Type or extension claiming a PDF when the content is an executable', async () => {
    const owner = await registerOrg(t.http);
    const [, , exe] = REFUSED_SAMPLES[0];
    const res = await postDocument(t.url, owner.accessToken, [
      { name: 'title', data: 'Totally a PDF' },
      { name: 'file', filename: 'statement.pdf', contentType: 'application/pdf', data: exe },
    ]);
    expect([res.status, res.body.code]).toEqual([415, 'unsupported_file_type']);
    await expectNothingStored(owner.organizationId);
  });

  it.each([
    ['NUL', 'a%00b.txt', 'ab.txt'],
    ['path traversal', '..%2F..%2Fetc%2Fpasswd.txt', 'passwd.txt'],
    ['Windows traversal', '..%5C..%5Cboot.ini.txt', 'boot.ini.txt'],
    ['CRLF', 'report%0D%0AX-Injected%3A%201.txt', 'reportX-Injected: 1.txt'],
    ['RTL override', 'invoice%E2%80%AEtxt.exe.txt', 'invoicetxt.exe.txt'],
  ])('keeps a %s filename only sanitized, and serves it in a safe Content-Disposition', async (_kind, encoded, expected) => {
    const owner = await registerOrg(t.http);
    const res = await postDocument(t.url, owner.accessToken, [
      { name: 'title', data: 'Named' },
      { name: 'file', filenameStar: encoded, data: 'plain text' },
    ]);
    expect(res.status).toBe(201);
    expect(res.body.data.filename).toBe(expected);
    const got = await download(`/organizations/me/documents/${res.body.data.id}/download`, {
      authorization: `Bearer ${owner.accessToken}`,
    });
    const disposition = got.headers.get('content-disposition')!;
    expect(disposition).not.toMatch(/[\r\n\0]/);
    expect(decodeURIComponent(disposition.split("filename*=UTF-8''")[1])).toBe(expected);
  });

  it('answers 400 naming an empty file, and every bad field at once, storing nothing', async () => {
    const owner = await registerOrg(t.http);
    const empty = await uploadFile(t.url, owner.accessToken, 'empty.txt', Buffer.alloc(0));
    expect(empty.status).toBe(400);
    expect(empty.body.details).toEqual([{ field: 'file', problems: ['file "empty.txt" is empty'] }]);

    const bad = await postDocument(t.url, owner.accessToken, [
      { name: 'description', data: 'x'.repeat(2001) },
      { name: 'file', filename: 'ok.txt', data: 'fine' },
    ]);
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual(
      expect.arrayContaining([
        { field: 'title', problems: ['title is required'] },
        { field: 'description', problems: ['description must be at most 2000 characters'] },
      ]),
    );
    const noFile = await postDocument(t.url, owner.accessToken, [{ name: 'title', data: 'Only a title' }]);
    expect(noFile.body.details).toEqual([{ field: 'file', problems: ['file is required'] }]);
    const notMultipart = await t.http.post('/organizations/me/documents', { title: 'json' }, as(owner));
    expect([notMultipart.status, notMultipart.body.code]).toEqual([415, 'multipart_required']);
    await expectNothingStored(owner.organizationId);
  });

  it("refuses a file over the package's per-file limit with 413, while streaming and by Content-Length", async () => {
    const owner = await registerOrg(t.http); // Free: 25 MiB per file
    const streamed = await streamUpload(t.url, owner.accessToken, 25 * MIB + 1, { chunked: true });
    expect([streamed.status, streamed.body.code]).toEqual([413, 'file_too_large']);
    await expectNothingStored(owner.organizationId);

    // The declared length alone decides: the answer comes with only 1 MiB of the body sent.
    const declared = await streamUpload(t.url, owner.accessToken, 30 * MIB, { sendBytes: MIB });
    expect([declared.status, declared.body.code]).toEqual([413, 'file_too_large']);
    await expectNothingStored(owner.organizationId);

    const fits = await streamUpload(t.url, owner.accessToken, 25 * MIB);
    expect(fits.status).toBe(201);
    expect(fits.body.data).toMatchObject({ size: 25 * MIB, checksum: fits.sha256, content_type: 'application/pdf' });
  });
});

describe('the storage quota', () => {
  /** Leaves `free` bytes of the Free package's 1 GiB (a document row as earlier uploads would have left it). */
  async function fillStorage(organizationId: string, free: number) {
    await dataSource(t).query(
      `INSERT INTO documents (organization_id, title, filename, content_type, size, checksum, storage_key)
       VALUES ($1, 'Earlier upload', 'earlier.pdf', 'application/pdf', $2, repeat('0', 64), $3)`,
      [organizationId, 1024 ** 3 - free, `${organizationId}/earlier`],
    );
  }

  it('refuses an upload past the total with 403 package_limit_reached and keeps nothing', async () => {
    const owner = await registerOrg(t.http);
    await fillStorage(owner.organizationId, 1000);
    const res = await uploadFile(t.url, owner.accessToken, 'big.txt', Buffer.alloc(1001, 'a'));
    expect([res.status, res.body.code]).toEqual([403, 'package_limit_reached']);
    expect(res.body.details).toMatchObject({ resource: 'storage_bytes', limit: 1024 ** 3 });
    expect(await rowsOf(owner.organizationId)).toEqual({ documents: 1, pending: 0 });
    expect(blobsOf(owner.organizationId)).toEqual([]);
    expect((await uploadFile(t.url, owner.accessToken, 'fits.txt', Buffer.alloc(1000, 'a'))).status).toBe(201);
  });

  it('lets exactly one of two concurrent uploads that together cross the quota through', async () => {
    const owner = await registerOrg(t.http);
    await fillStorage(owner.organizationId, 1500);
    const results = await Promise.all(
      [1, 2].map((i) => uploadFile(t.url, owner.accessToken, `half-${i}.txt`, Buffer.alloc(1000, String(i)))),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 403]);
    expect(results.find((r) => r.status === 403)!.body.code).toBe('package_limit_reached');
    expect(await rowsOf(owner.organizationId)).toEqual({ documents: 2, pending: 0 });
    expect(blobsOf(owner.organizationId)).toHaveLength(1);
  });

  it('refuses by Content-Length before reading the body when the declared size cannot fit', async () => {
    const owner = await registerOrg(t.http);
    await fillStorage(owner.organizationId, MIB);
    const res = await streamUpload(t.url, owner.accessToken, 20 * MIB, { sendBytes: 64 * 1024 });
    expect([res.status, res.body.code]).toEqual([403, 'package_limit_reached']);
  });
});

describe('reading, downloading and deleting', () => {
  it('lists newest first with search on title and filename, in the house list shape', async () => {
    const owner = await registerOrg(t.http);
    const member = await createMember(t, owner, 'member');
    await uploadFile(t.url, owner.accessToken, 'budget-2026.csv', Buffer.from('a,b\n'), 'Budget');
    await uploadFile(t.url, owner.accessToken, 'minutes.md', Buffer.from('# Minutes\n'), 'Board minutes 100%');
    await uploadFile(t.url, owner.accessToken, 'notes.txt', Buffer.from('notes\n'), 'Notes');

    const all = await t.http.get('/organizations/me/documents?limit=2', as(member));
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ total: 3, page: 1, limit: 2, totalPages: 2 });
    expect(all.body.data.map((d: any) => d.title)).toEqual(['Notes', 'Board minutes 100%']);
    expect(all.body.data[0]).not.toHaveProperty('storage_key');
    const byFilename = await t.http.get('/organizations/me/documents?search=BUDGET-', as(member));
    expect(byFilename.body.data.map((d: any) => d.title)).toEqual(['Budget']);
    const byTitle = await t.http.get('/organizations/me/documents?search=100%25', as(member));
    expect(byTitle.body.data.map((d: any) => d.title)).toEqual(['Board minutes 100%']);
    const literal = await t.http.get('/organizations/me/documents?search=_', as(member));
    expect(literal.body.data.map((d: any) => d.filename)).toEqual([]);
    // documents.view only: a plain member reads but cannot upload or delete.
    expect((await uploadFile(t.url, member.accessToken, 'x.txt', Buffer.from('x'))).status).toBe(403);
    expect((await t.http.delete(`/organizations/me/documents/${all.body.data[0].id}`, undefined, as(member))).status).toBe(403);
  });

  it('answers Range requests with 206, If-None-Match with 304, and a range past the end with 416', async () => {
    const owner = await registerOrg(t.http);
    const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(''));
    const { body } = await uploadFile(t.url, owner.accessToken, 'alphabet.txt', bytes);
    const path = `/organizations/me/documents/${body.data.id}/download`;
    const auth = { authorization: `Bearer ${owner.accessToken}` };

    const part = await download(path, { ...auth, range: 'bytes=100-199' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 100-199/1000');
    expect(part.headers.get('content-length')).toBe('100');
    expect(part.bytes.equals(bytes.subarray(100, 200))).toBe(true);
    const tail = await download(path, { ...auth, range: 'bytes=-10' });
    expect([tail.status, tail.bytes.toString()]).toEqual([206, bytes.subarray(990).toString()]);
    const resumed = await download(path, { ...auth, range: 'bytes=500-' });
    expect(resumed.bytes.equals(bytes.subarray(500))).toBe(true);
    const stale = await download(path, { ...auth, range: 'bytes=500-', 'if-range': '"not-the-current-etag"' });
    expect([stale.status, stale.bytes.length]).toEqual([200, 1000]);

    const beyond = await download(path, { ...auth, range: 'bytes=1000-' });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe('bytes */1000');
    expect(JSON.parse(beyond.bytes.toString()).code).toBe('range_not_satisfiable');

    const cached = await download(path, { ...auth, 'if-none-match': `"${body.data.checksum}"` });
    expect([cached.status, cached.bytes.length]).toEqual([304, 0]);
  });

  it('answers HEAD with the download headers only, and audits no download', async () => {
    const owner = await registerOrg(t.http);
    const { body } = await uploadFile(t.url, owner.accessToken, 'peek.txt', Buffer.from('only the headers\n'));
    const res = await fetch(`${t.url}/api/v1/organizations/me/documents/${body.data.id}/download`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${owner.accessToken}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('17');
    expect(res.headers.get('etag')).toBe(`"${body.data.checksum}"`);
    expect(res.headers.get('content-disposition')).toContain("filename*=UTF-8''peek.txt");
    const downloads = await dataSource(t).query(`SELECT 1 FROM audit_logs WHERE action = 'document.downloaded' AND resource_id = $1`, [
      body.data.id,
    ]);
    expect(downloads).toHaveLength(0);
  });

  it('signs a download link that works without credentials for 5 minutes; tampered or expired answers 403', async () => {
    const owner = await registerOrg(t.http);
    const bytes = Buffer.from('signed link content\n');
    const { body } = await uploadFile(t.url, owner.accessToken, 'linked.txt', bytes);
    const clock = controlClock(t, new Date());
    try {
      const signed = await t.http.get(`/organizations/me/documents/${body.data.id}/download-url`, as(owner));
      expect(signed.status).toBe(200);
      const url = new URL(signed.body.data.url);
      expect(url.pathname).toBe('/api/v1/documents/download');
      expect(new Date(signed.body.data.expires_at).getTime() - clock.now().getTime()).toBeLessThanOrEqual(300_000);
      const local = `${url.pathname.replace('/api/v1', '')}${url.search}`;

      const ok = await download(local);
      expect([ok.status, ok.bytes.toString()]).toEqual([200, bytes.toString()]);
      expect(ok.headers.get('content-disposition')).toContain('attachment');

      const token = url.searchParams.get('token')!;
      const [prefix, payload, mac] = token.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const forged = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 86_400 })).toString('base64url');
      for (const bad of [`${prefix}.${forged}.${mac}`, `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`, 'garbage']) {
        const res = await download(`/documents/download?token=${encodeURIComponent(bad)}`);
        expect([res.status, JSON.parse(res.bytes.toString()).code]).toEqual([403, 'invalid_download_link']);
      }
      clock.advance(301_000);
      const expired = await download(local);
      expect([expired.status, JSON.parse(expired.bytes.toString()).code]).toEqual([403, 'invalid_download_link']);
    } finally {
      clock.release();
    }
  });

  it("answers 404 for another organization's document on every route, and for ids that are not uuids", async () => {
    const owner = await registerOrg(t.http);
    const other = await registerOrg(t.http);
    const { body } = await uploadFile(t.url, owner.accessToken, 'secret.txt', Buffer.from('ours'));
    for (const id of [body.data.id, 'not-a-uuid']) {
      const base = `/organizations/me/documents/${id}`;
      for (const res of [
        await t.http.get(base, as(other)),
        await t.http.get(`${base}/download`, as(other)),
        await t.http.get(`${base}/download-url`, as(other)),
        await t.http.delete(base, undefined, as(other)),
      ]) {
        expect([res.status, res.body.code]).toEqual([404, 'document_not_found']);
      }
    }
    expect((await t.http.get(`/organizations/me/documents/${body.data.id}`, as(owner))).status).toBe(200);
  });

  it('deletes the row and then the blob; uploads, downloads and deletes are audited and document.uploaded is published', async () => {
    const owner = await registerOrg(t.http);
    const { body } = await uploadFile(t.url, owner.accessToken, 'gone.txt', Buffer.from('soon gone'), 'Gone soon');
    const id = body.data.id;
    expect(blobsOf(owner.organizationId)).toHaveLength(1);
    expect((await download(`/organizations/me/documents/${id}/download`, { authorization: `Bearer ${owner.accessToken}` })).status).toBe(
      200,
    );
    const del = await t.http.delete(`/organizations/me/documents/${id}`, undefined, as(owner));
    expect(del.status).toBe(204);
    expect(await rowsOf(owner.organizationId)).toEqual({ documents: 0, pending: 0 });
    expect(blobsOf(owner.organizationId)).toEqual([]);
    expect((await t.http.get(`/organizations/me/documents/${id}`, as(owner))).status).toBe(404);

    const audit: Array<{ action: string; actor_user_id: string; target: string; after: any; before: any; metadata: any }> =
      await dataSource(t).query(
        `SELECT action, actor_user_id, target, after, before, metadata FROM audit_logs
        WHERE organization_id = $1 AND resource_type = 'document' AND resource_id = $2 ORDER BY created_at`,
        [owner.organizationId, id],
      );
    expect(audit.map((a) => a.action)).toEqual(['document.uploaded', 'document.downloaded', 'document.deleted']);
    expect(audit.every((a) => a.actor_user_id === owner.userId && a.target === 'Gone soon')).toBe(true);
    expect(audit[0].after).toMatchObject({ title: 'Gone soon', filename: 'gone.txt', size: 9 });
    expect(audit[2].before).toMatchObject({ title: 'Gone soon' });
    expect(JSON.stringify(audit)).not.toContain(owner.organizationId + '/');

    const [event] = await dataSource(t).query(
      `SELECT payload FROM outbox_events WHERE name = 'document.uploaded' AND payload->>'document_id' = $1`,
      [id],
    );
    expect(event.payload).toEqual({
      document_id: id,
      title: 'Gone soon',
      filename: 'gone.txt',
      content_type: 'text/plain; charset=utf-8',
      size: 9,
      uploaded_by: owner.userId,
    });
  });

  it('audits a signed-link download in the name of who asked for the link', async () => {
    const owner = await registerOrg(t.http);
    const { body } = await uploadFile(t.url, owner.accessToken, 'shared.txt', Buffer.from('shared'));
    const signed = await t.http.get(`/organizations/me/documents/${body.data.id}/download-url`, as(owner));
    const url = new URL(signed.body.data.url);
    expect((await download(`/documents/download${url.search}`)).status).toBe(200);
    const [entry] = await dataSource(t).query(
      `SELECT actor_user_id, metadata FROM audit_logs WHERE resource_id = $1 AND action = 'document.downloaded'`,
      [body.data.id],
    );
    expect(entry).toMatchObject({ actor_user_id: owner.userId, metadata: { via: 'signed_link' } });
  });

  it("puts the metadata of the user's uploads in the GDPR export", async () => {
    const owner = await registerOrg(t.http);
    const { body } = await uploadFile(t.url, owner.accessToken, 'mine.txt', Buffer.from('mine'), 'Mine');
    const res = await t.http.get('/users/me/download-data', as(owner));
    expect(res.status).toBe(200);
    expect(res.body.documents).toEqual([
      expect.objectContaining({ id: body.data.id, title: 'Mine', filename: 'mine.txt', size: 4, checksum: body.data.checksum }),
    ]);
    expect(JSON.stringify(res.body.documents)).not.toContain('storage_key');
  });
});

describe('orphans', () => {
  it('sweeps blobs whose row never committed once they are old enough, and leaves documents and fresh uploads alone', async () => {
    const owner = await registerOrg(t.http);
    const { body } = await uploadFile(t.url, owner.accessToken, 'kept.txt', Buffer.from('kept'));
    const storage = t.app.get(BlobStorage);
    const pending = t.app.get(PendingBlobs);
    // A crash between storing and committing: the key listed, the blob written, no document row.
    for (const key of [
      `${owner.organizationId}/00000000-0000-4000-8000-000000000001`,
      `${owner.organizationId}/00000000-0000-4000-8000-000000000002`,
    ]) {
      // As the upload does, in the uploader's organization (row-level security).
      await withTenant(owner.organizationId, () => pending.add(owner.organizationId, key));
      await storage.put(key, Readable.from([Buffer.from('orphan')]));
    }
    await dataSource(t).query(`UPDATE document_pending_blobs SET created_at = now() - interval '1 day' WHERE storage_key = $1`, [
      `${owner.organizationId}/00000000-0000-4000-8000-000000000001`,
    ]);
    expect(blobsOf(owner.organizationId)).toHaveLength(3);

    // The job as its scheduler (every worker keeps it registered) starts it, run by the app's workers.
    const queue = t.app.get<Queue>(getQueueToken(DOCUMENTS_QUEUE));
    expect(await queue.getJobScheduler(SWEEP_SCHEDULER)).toMatchObject({ every: 15 * 60 * 1000, name: SWEEP_JOB });
    const job = await queue.add(SWEEP_JOB, {});
    const settled = await settledJob(queue, job.id!);
    expect(settled.failedReason).toBeUndefined();
    expect((settled.returnvalue as { swept: number }).swept).toBeGreaterThanOrEqual(1);
    expect(await storage.stat(`${owner.organizationId}/00000000-0000-4000-8000-000000000001`)).toBeNull();
    expect(await storage.stat(`${owner.organizationId}/00000000-0000-4000-8000-000000000002`)).toEqual({ size: 6 });
    expect(
      (await download(`/organizations/me/documents/${body.data.id}/download`, { authorization: `Bearer ${owner.accessToken}` })).status,
    ).toBe(200);
    expect((await rowsOf(owner.organizationId)).pending).toBe(1);
  });
});

describe('memory', () => {
  it('keeps RSS within 50 MB of idle while a 200 MB upload streams through', async () => {
    const owner = await registerOrg(t.http);
    await setPackage(t, owner.organizationId, 'platinum');
    await streamUpload(t.url, owner.accessToken, 4 * MIB); // warm the path
    const idle = process.memoryUsage.rss();
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
    try {
      const res = await streamUpload(t.url, owner.accessToken, 200 * MIB);
      expect(res.status).toBe(201);
      expect(res.body.data).toMatchObject({ size: 200 * MIB, checksum: res.sha256 });
    } finally {
      clearInterval(sampler);
    }
    expect((peak - idle) / MIB).toBeLessThan(50);
  }, 120_000);
});
