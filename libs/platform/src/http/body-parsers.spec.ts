import { describe, expect, it } from 'vitest';
import { jsonDepthExceeds, MAX_JSON_DEPTH, nulPath, prototypeKeyPath } from './body-parsers.js';

describe('jsonDepthExceeds', () => {
  const nested = (n: number) => Buffer.from(`${'['.repeat(n)}${']'.repeat(n)}`);

  it('allows the limit and refuses one level more, for arrays and objects', () => {
    expect(jsonDepthExceeds(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false);
    expect(jsonDepthExceeds(nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true);
    expect(jsonDepthExceeds(Buffer.from(`${'{"a":'.repeat(3)}1${'}'.repeat(3)}`), 2)).toBe(true);
  });

  it('counts depth, not brackets: siblings do not add up', () => {
    expect(jsonDepthExceeds(Buffer.from(`[${'[],'.repeat(1000)}[]]`), 2)).toBe(false);
  });

  it('ignores brackets inside strings, including after escaped quotes and backslashes', () => {
    expect(jsonDepthExceeds(Buffer.from(`{"a":"[[[[{{{{"}`), 1)).toBe(false);
    expect(jsonDepthExceeds(Buffer.from(`{"a":"\\"[[[["}`), 1)).toBe(false);
    expect(jsonDepthExceeds(Buffer.from(`{"a":"\\\\","b":[[1]]}`), 2)).toBe(true);
  });

  it('reads multi-byte UTF-8 as it is (no byte of a sequence is a bracket or a quote)', () => {
    expect(jsonDepthExceeds(Buffer.from('{"ż":"[ąę]","b":[["€"]]}'), 3)).toBe(false);
  });
});

describe('prototypeKeyPath', () => {
  it('finds __proto__ and constructor.prototype at any depth, arrays included', () => {
    expect(prototypeKeyPath(JSON.parse('{"a":1,"__proto__":{"x":1}}'))).toBe('__proto__');
    expect(prototypeKeyPath(JSON.parse('{"a":[{"b":{"__proto__":{}}}]}'))).toBe('a.0.b.__proto__');
    expect(prototypeKeyPath(JSON.parse('{"constructor":{"prototype":{"x":1}}}'))).toBe('constructor.prototype');
  });

  it('leaves ordinary bodies, and a constructor key without a prototype, alone', () => {
    expect(prototypeKeyPath({ name: 'x', nested: { list: [1, 'two'] } })).toBeUndefined();
    expect(prototypeKeyPath({ constructor: 'Bob the builder' })).toBeUndefined();
    expect(prototypeKeyPath(undefined)).toBeUndefined();
  });
});

describe('nulPath', () => {
  it('names the string or key holding a NUL', () => {
    expect(nulPath({ a: 'ok', b: { c: ['x', 'y\u0000'] } })).toBe('b.c.1');
    expect(nulPath({ ['k\u0000']: 1 })).toBe('k\u0000');
    expect(nulPath('\u0000')).toBe('(body)');
  });

  it('finds nothing in clean input', () => {
    expect(nulPath({ a: 'ok', n: 1, z: null, list: ['\\u0000 as text'] })).toBeUndefined();
  });
});
