import { QueryFailedError } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { HttpExceptionFilter } from '../http/http-exception.filter.js';
import { isDatabaseUnavailable } from './pg-errors.js';

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it('recognises a refused, lost or restarting database, also inside TypeORM and AggregateError wrappers', () => {
    expect(isDatabaseUnavailable(Object.assign(new AggregateError([], 'connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(
      isDatabaseUnavailable(new QueryFailedError('SELECT 1', [], pgError('57P01', 'terminating connection due to administrator command'))),
    ).toBe(true);
    expect(isDatabaseUnavailable(pgError('57P03', 'the database system is starting up'))).toBe(true);
    expect(isDatabaseUnavailable(pgError('08006', 'connection failure'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('released'), { name: 'QueryRunnerAlreadyReleasedError' }))).toBe(true);
  });

  it('leaves statement errors and bugs alone', () => {
    expect(isDatabaseUnavailable(new QueryFailedError('INSERT', [], pgError('23505', 'duplicate key value')))).toBe(false);
    expect(isDatabaseUnavailable(pgError('42P01', 'relation "x" does not exist'))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});

describe('the error body for a lost database', () => {
  it('is a 503 database_unavailable that names nothing internal', () => {
    const body = HttpExceptionFilter.body(pgError('57P01', 'terminating connection due to administrator command'), 'req-1');
    expect(body).toMatchObject({ statusCode: 503, code: 'database_unavailable', requestId: 'req-1' });
    expect(JSON.stringify(body)).not.toMatch(/terminating|administrator|57P01/);
    expect(HttpExceptionFilter.body(new Error('boom'), 'req-2')).toMatchObject({ statusCode: 500, code: 'internal_error' });
  });
});
