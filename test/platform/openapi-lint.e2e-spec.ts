import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Logger } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';

const run = promisify(execFile);

/**
 * Paths the contract (platform-api.md) fixes although Redocly calls them ambiguous with a sibling: the only request
 * both could match names a literal where the other expects a uuid (`POST /calls/chats/join`), which answers 404 either way.
 */
const CONTRACT_AMBIGUOUS_PATHS = ['/api/v1/calls/chats/{chatId}'];

interface LintProblem {
  ruleId: string;
  severity: 'error' | 'warn';
  message: string;
  location: Array<{ pointer: string }>;
}

let t: TestApp;
let dir: string;
beforeAll(async () => {
  t = await startTestApp();
  dir = mkdtempSync(join(tmpdir(), 'atrium-openapi-'));
});
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the OpenAPI document at /api/docs-json', () => {
  it("passes Redocly's recommended lint rules with no error and no warning", async () => {
    const res = await fetch(`${t.url}/api/docs-json`);
    expect(res.status).toBe(200);
    const text = await res.text();
    const file = join(dir, 'openapi.json');
    writeFileSync(file, text);
    // Declared once: a bearer token or an API key everywhere, except public routes that say `security: [{}]` (no credentials needed).
    const doc = JSON.parse(text) as {
      security: unknown[];
      paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
    };
    expect(doc.security).toEqual([{ bearer: [] }, { 'api-key': [] }]);
    expect(doc.paths['/api/v1/auth/login'].post.security).toEqual([{}]);
    expect(doc.paths['/api/v1/users/me'].get.security).toBeUndefined();
    expect(doc.paths['/api/v1/users/me'].get.responses['429']).toBeDefined();
    // The CLI exits non-zero when it finds errors; the JSON report is on stdout either way.
    const out = await run(
      process.execPath,
      ['node_modules/@redocly/cli/bin/cli.js', 'lint', file, '--extends=recommended', '--format=json'],
      { maxBuffer: 16 * 1024 * 1024, env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } },
    ).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
    const report = JSON.parse(out.stdout) as { problems: LintProblem[] };
    const problems = report.problems
      .filter((p) => !(p.ruleId === 'no-ambiguous-paths' && CONTRACT_AMBIGUOUS_PATHS.some((path) => p.message.includes(`\`${path}\``))))
      .map((p) => `${p.severity} ${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);
    expect(problems).toEqual([]);
  });

  it('names every schema once: two DTO classes of one name would share (and overwrite) one schema', () => {
    const warn = vi.spyOn(Logger, 'warn').mockImplementation(() => undefined);
    try {
      SwaggerModule.createDocument(t.app, new DocumentBuilder().build());
      const duplicates = warn.mock.calls.map(([message]) => String(message)).filter((m) => m.startsWith('Duplicate DTO'));
      expect(duplicates).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });
});
