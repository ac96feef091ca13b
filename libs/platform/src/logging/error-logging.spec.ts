import { Logger } from '@nestjs/common';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { QueryFailedError } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../events/event-bus.js';
import { PinoLoggerService } from './pino-logger.js';

const SECRET = 'reset-token-5f1c9e0d7a';

/** What a failed statement looks like: the driver's error, plus the SQL and its parameters TypeORM attaches. */
function failedQuery(): QueryFailedError {
  const driverError = Object.assign(new Error('duplicate key value violates unique constraint "uq_tokens_hash"'), {
    code: '23505',
    detail: `Key (token_hash)=(${SECRET}) already exists.`,
  });
  return new QueryFailedError('INSERT INTO tokens (token_hash) VALUES ($1)', [SECRET], driverError);
}

let lines: string[];

beforeEach(() => {
  lines = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  Logger.overrideLogger(new PinoLoggerService(pino({ base: undefined }, sink)));
});
afterEach(() => {
  Logger.overrideLogger(new Logger());
});

describe('logging a failed query', () => {
  it('keeps the message and code, never the parameters, the SQL or the driver detail', async () => {
    const bus = new EventBus();
    bus.on('thing.happened', () => {
      throw failedQuery();
    });
    await bus.publish({ name: 'thing.happened', payload: {} });
    new Logger('Background').error({ err: failedQuery(), task: 'probe' }, 'Background task failed');
    new Logger('Framework').error(failedQuery());

    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line).toContain('duplicate key value violates unique constraint');
      expect(line).toContain('23505');
      expect(line).not.toContain(SECRET);
      expect(line).not.toContain('INSERT INTO');
    }
  });
});
