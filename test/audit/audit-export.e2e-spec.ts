import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/billing.js';
import { dataSource, registerOrg, setPackage } from '../support/members.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** The audit export: 50,000 entries as CSV and NDJSON, formula-safe cells, the package gate, a client that goes away. */

let t: TestApp;
let owner: Awaited<ReturnType<typeof registerOrg>>;
const ENTRIES = 50_000;

/** Cells a spreadsheet would run as formulas, and ordinary text with a quote, a comma and a line break. */
const TARGETS = ['=HYPERLINK("http://evil.example")', '+1+2', '-3+4', '@SUM(A1:A2)', '\tcmd', '\rx', 'plain "quoted", text\nline two'];

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t.http);
  await setPackage(t, owner.organizationId, 'platinum');
  await dataSource(t).query(
    `INSERT INTO audit_logs (organization_id, actor_user_id, actor_email, action, resource_type, resource_id, target, before, after, ip, created_at)
     SELECT $1, $2, $3, 'export.probe', 'probe', g::text, ($4::text[])[1 + g % 7], jsonb_build_object('n', g - 1), jsonb_build_object('n', g),
            '198.51.100.9', timestamptz '2025-01-01' + g * interval '1 second'
       FROM generate_series(1, ${ENTRIES}) g`,
    [owner.organizationId, owner.userId, owner.email, TARGETS],
  );
});
afterAll(async () => {
  await t?.close();
});

const auth = () => ({ authorization: `Bearer ${owner.accessToken}` });
const exportUrl = (query: string) => `${t.http.baseUrl}/audit-logs/export?${query}`;

/** CSV records, one a line (quoted cells may hold commas, quotes and line breaks), as PostgreSQL's COPY writes them. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  while (i < text.length) {
    let cell = '';
    if (text[i] === '"') {
      for (i++; ; i++) {
        if (text[i] === '"' && text[i + 1] !== '"') break;
        cell += text[i];
        if (text[i] === '"') i++;
      }
      i++;
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\n') cell += text[i++];
    }
    record.push(cell);
    if (text[i] === ',') i++;
    else if (text[i] === '\n') {
      records.push(record);
      record = [];
      i += 1;
    } else if (i < text.length) throw new Error(`unexpected ${JSON.stringify(text[i])} at ${i}`);
  }
  return records;
}

/** Exports this database is still serving: an NDJSON cursor's open transaction, or a CSV COPY still running. */
async function openExports(): Promise<number> {
  const [{ n }] = await dataSource(t).query(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid()
        AND ((state LIKE 'idle in transaction%' AND query LIKE '%export_cursor%') OR (state = 'active' AND query LIKE 'COPY (SELECT%'))`,
  );
  return n;
}

describe('GET /audit-logs/export', () => {
  it('streams 50,000 entries as CSV, newest first, with formula cells escaped', async () => {
    const res = await fetch(exportUrl('format=csv&action=export.probe'), { headers: auth() });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-logs-\d{4}-\d{2}-\d{2}\.csv"$/);
    const records = parseCsv(await res.text());
    expect(records).toHaveLength(ENTRIES + 1);
    const [header, newest] = records;
    expect(header).toEqual([
      'id',
      'timestamp',
      'action',
      'resource_type',
      'resource_id',
      'target',
      'actor_type',
      'actor_user_id',
      'actor_email',
      'actor_api_key_id',
      'actor_api_key_name',
      'ip_address',
      'user_agent',
      'request_id',
      'before',
      'after',
      'metadata',
    ]);
    const col = (name: string) => header.indexOf(name);
    expect(newest[col('resource_id')]).toBe(String(ENTRIES));
    expect(records[ENTRIES][col('resource_id')]).toBe('1');
    expect(newest.slice(col('timestamp'), col('target'))).toEqual([
      new Date(Date.UTC(2025, 0, 1) + ENTRIES * 1000).toISOString(),
      'export.probe',
      'probe',
      String(ENTRIES),
    ]);
    expect(newest[col('actor_email')]).toBe(owner.email);
    expect(JSON.parse(newest[col('after')])).toEqual({ n: ENTRIES });
    // Every row's target as a spreadsheet would take it: the dangerous ones start with ', the rest are unchanged.
    const expected = (g: number) => {
      const target = TARGETS[g % 7];
      return /^[=+\-@\t\r]/.test(target) ? `'${target}` : target;
    };
    for (const r of records.slice(1)) expect(r[col('target')]).toBe(expected(Number(r[col('resource_id')])));
    expect(records.slice(1).filter((r) => r[col('target')].startsWith("'=")).length).toBeGreaterThan(7000);
  });

  it('streams NDJSON: one entry per line in the shape GET /audit-logs/:id answers, with the list’s filters', async () => {
    const res = await fetch(exportUrl('format=ndjson&action=export.probe'), { headers: auth() });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/\.ndjson"$/);
    const lines = (await res.text()).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(ENTRIES);
    const first = JSON.parse(lines[0]);
    const one = await t.http.get(`/audit-logs/${first.id}`, { token: owner.accessToken });
    expect(first).toEqual(one.body.data);
    expect(first).toMatchObject({ resource_id: String(ENTRIES), changes: { n: { from: ENTRIES - 1, to: ENTRIES } } });
    const multiLine = lines.map((l) => JSON.parse(l)).find((e) => e.target === TARGETS[6]);
    expect(multiLine.target).toBe('plain "quoted", text\nline two');

    const filtered = await fetch(exportUrl('format=ndjson&resource=probe&id=42&to=2025-12-31'), { headers: auth() });
    const only = (await filtered.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(only.map((e) => e.resource_id)).toEqual(['42']);
  });

  it('a client that disconnects mid-export, in either format, stops the reading and frees the connection', async () => {
    for (let round = 0; round < 8; round++) {
      const abort = new AbortController();
      const res = await fetch(exportUrl(`format=${round % 2 ? 'csv' : 'ndjson'}`), { headers: auth(), signal: abort.signal });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      await reader.read();
      // The client reads no more: the export waits on it, its cursor or COPY still open…
      await eventually(async () => ((await openExports()) === 1 ? true : undefined), 'the export to wait on the client');
      abort.abort();
      // …and once it has gone, the database stops serving it.
      await eventually(async () => ((await openExports()) === 0 ? true : undefined), 'the export to end in the database');
    }
    // More exports than the app's pool has connections (5) were abandoned: a leaked one would leave this hanging.
    const res = await fetch(exportUrl('format=csv&resource_id=7'), { headers: auth() });
    expect(parseCsv(await res.text())).toHaveLength(2);
  });

  it('runs at most a quarter of the connection pool of exports at once, and answers 429 with Retry-After beyond', async () => {
    // The test app has 5 connections: one export at a time.
    const abort = new AbortController();
    try {
      const held = await fetch(exportUrl('format=ndjson'), { headers: auth(), signal: abort.signal });
      await held.body!.getReader().read();
      await eventually(async () => ((await openExports()) >= 1 ? true : undefined), 'the first export to wait on its client');
      const busy = await t.http.get('/audit-logs/export?format=csv&resource_id=3', { token: owner.accessToken });
      expect([busy.status, busy.body.code, busy.headers.get('retry-after')]).toEqual([429, 'audit_export_busy', '10']);
      // Other requests still get connections meanwhile.
      expect((await t.http.get('/audit-logs?limit=1', { token: owner.accessToken })).status).toBe(200);
    } finally {
      // Also when an expectation failed: a held export would keep the app from closing.
      abort.abort();
    }
    // The slot is free again once the held export's connection is back: the next request gets it.
    const after = await t.http.get('/audit-logs/export?format=csv&resource_id=3', { token: owner.accessToken });
    expect(after.status).toBe(200);
    expect(parseCsv(after.body as string)).toHaveLength(2);
  });

  it('a request that finds every slot taken waits for one to end instead of answering 429 at once', async () => {
    const abort = new AbortController();
    const held = await fetch(exportUrl('format=csv'), { headers: auth(), signal: abort.signal });
    await held.body!.getReader().read();
    await eventually(async () => ((await openExports()) >= 1 ? true : undefined), 'the first export to wait on its client');
    const sent = Date.now();
    const waiting = fetch(exportUrl('format=ndjson&resource_id=5'), { headers: auth() }).then((res) => ({ res, at: Date.now() }));
    // Time for the second request to reach the export and find no free slot; then the first client goes away.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const released = Date.now();
    abort.abort();
    const { res, at } = await waiting;
    // It was answered with the file, only after the first export ended, and within the 2 s it may wait.
    expect(res.status).toBe(200);
    expect(at).toBeGreaterThanOrEqual(released);
    expect(at - sent).toBeLessThan(2000);
    const lines = (await res.text()).trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).resource_id)).toEqual(['5']);
  });

  it('names every bad parameter in one 400', async () => {
    const res = await t.http.get('/audit-logs/export?format=xlsx&from=no&user=me&page=2', { token: owner.accessToken });
    expect([res.status, res.body.code]).toEqual([400, 'validation_failed']);
    expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['format', 'from', 'page', 'user']);
  });

  it('is refused on a package without audit_export', async () => {
    const free = await registerOrg(t.http);
    const res = await t.http.get('/audit-logs/export?format=csv', { token: free.accessToken });
    expect([res.status, res.body.code]).toEqual([403, 'feature_not_in_package']);
    await setPackage(t, free.organizationId, 'basic');
    expect((await t.http.get('/audit-logs/export', { token: free.accessToken })).body.code).toBe('feature_not_in_package');
    await setPackage(t, free.organizationId, 'diamond');
    const diamond = await t.http.get('/audit-logs/export', { token: free.accessToken });
    expect(diamond.status).toBe(200);
    // Only what registering wrote, and nothing of the other organization's 50,000.
    expect(parseCsv(diamond.body as string).length).toBeLessThan(20);
  });
});
