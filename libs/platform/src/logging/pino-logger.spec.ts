import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { REDACTED_PATHS } from './pino-logger.js';

describe('log redaction', () => {
  it('never writes passwords, tokens, secrets or credentials headers', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const logger = pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink);
    logger.info({
      password: 'hunter2-hunter2',
      body: { refresh_token: 'rt-secret-value', new_password: 'n3w-secret' },
      provider: { secret: 'whsec_abc' },
      req: { headers: { authorization: 'Bearer eyJ.secret', 'x-api-key': 'ak_live_secret' } },
    });
    const out = lines.join('');
    for (const secret of ['hunter2-hunter2', 'rt-secret-value', 'n3w-secret', 'whsec_abc', 'eyJ.secret', 'ak_live_secret']) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('[redacted]');
  });
});
