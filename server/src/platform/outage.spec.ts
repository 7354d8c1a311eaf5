import { describe, expect, it } from 'vitest';
import { createOutageLog, isDatabaseUnavailable } from './outage.js';

describe('isDatabaseUnavailable', () => {
  it('recognises what node-postgres, Node and pg-boss report when PostgreSQL is away', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(isDatabaseUnavailable(refused)).toBe(true);
    // localhost resolves to two addresses: Node reports both in an AggregateError.
    expect(isDatabaseUnavailable(new AggregateError([refused, refused], ''))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('the database system is starting up'), { code: '57P03' }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('connection failure'), { code: '08006' }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    // pg-boss re-emits worker errors as plain objects.
    expect(isDatabaseUnavailable({ message: 'x (Queue: q, Worker: w)', code: 'ECONNRESET' })).toBe(true);
  });

  it('leaves real bugs alone: they stay 500s with a logged stack', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('duplicate key value'), { code: '23505' }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('syntax error'), { code: '42601' }))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError('cannot read properties of undefined'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});

describe('createOutageLog', () => {
  it('logs the start and the end of an outage once, however many failures', () => {
    const lines: string[] = [];
    const log = { warn: (_: object, msg: string) => void lines.push(`warn ${msg}`), info: (_: object, msg: string) => void lines.push(`info ${msg}`) };
    const outage = createOutageLog(log, 'API');
    outage.up();
    for (let i = 0; i < 50; i++) outage.down(new Error('Connection terminated'));
    expect(outage.isDown).toBe(true);
    outage.up();
    outage.up();
    expect(lines).toEqual(['warn API: the database is unavailable; retrying until it is back', 'info API: the database is back']);
  });
});
