import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientKey } from './client-key.js';

/** The WHATWG URL parser's canonical (compressed, lower-case) text of an IPv6 address. */
const compressed = (full: string) => new URL(`http://[${full}]/`).hostname.slice(1, -1);
const hextet = fc.integer({ min: 0, max: 0xffff });
const groups = fc.array(hextet, { minLength: 8, maxLength: 8 });
const isMapped = (g: number[]) => g.slice(0, 5).every((n) => n === 0) && g[5] === 0xffff;
const text = (g: number[], pad = false) => g.map((n) => (pad ? n.toString(16).padStart(4, '0').toUpperCase() : n.toString(16))).join(':');

describe('clientKey', () => {
  it('keeps an IPv4 address as it is', () => {
    expect(clientKey('192.0.2.1')).toBe('192.0.2.1');
  });

  it('counts an IPv4-mapped IPv6 address as the IPv4 address', () => {
    expect(clientKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(clientKey('::FFFF:C000:0201')).toBe('192.0.2.1');
    expect(clientKey('0:0:0:0:0:ffff:192.0.2.1')).toBe('192.0.2.1');
  });

  it('keys an IPv6 address by its /64, however it is written', () => {
    const key = '2001:db8:1:2::/64';
    for (const ip of ['2001:db8:1:2::1', '2001:0DB8:0001:0002:aaaa:bbbb:cccc:dddd', '2001:db8:1:2:ffff::', '2001:db8:1:2::192.0.2.1']) {
      expect(clientKey(ip), ip).toBe(key);
    }
    expect(clientKey('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
  });

  it('gives one key to every address of a /64 and different keys to different /64s', () => {
    fc.assert(
      fc.property(groups, groups, (a, b) => {
        const sameNet = [...a.slice(0, 4), ...b.slice(4)];
        // IPv4-mapped addresses (::ffff:a.b.c.d) are keyed as IPv4, checked above.
        fc.pre(![a, b, sameNet].some(isMapped));
        const keyA = clientKey(compressed(text(a)));
        expect(clientKey(text(a, true))).toBe(keyA);
        expect(clientKey(compressed(text(sameNet)))).toBe(keyA);
        const samePrefix = a.slice(0, 4).every((n, i) => n === b[i]);
        expect(clientKey(text(b)) === keyA).toBe(samePrefix);
      }),
    );
  });

  it('puts requests without an address in one shared bucket', () => {
    expect(clientKey(undefined)).toBe('unknown');
    expect(clientKey('')).toBe('unknown');
  });
});
