import { isIPv4, isIPv6 } from 'node:net';

/** The 8 groups of an IPv6 address (`isIPv6` already said yes), an embedded dotted quad counting as two. */
function groupsOf(ip: string): number[] {
  let text = ip;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const parse = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const front = parse(head);
  if (tail === undefined) return front;
  const back = parse(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/**
 * The rate-limit key of a client address. An IPv6 client usually holds a whole /64 and can rotate addresses
 * inside it, so it is keyed by that prefix; an IPv4-mapped address (`::ffff:192.0.2.1`) counts as the IPv4 one.
 */
export function clientKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const ip = address.replace(/%.*$/, '');
  if (isIPv4(ip) || !isIPv6(ip)) return ip.toLowerCase();
  const g = groupsOf(ip);
  if (g.slice(0, 5).every((n) => n === 0) && g[5] === 0xffff) return [g[6] >> 8, g[6] & 0xff, g[7] >> 8, g[7] & 0xff].join('.');
  return `${g
    .slice(0, 4)
    .map((n) => n.toString(16))
    .join(':')}::/64`;
}
