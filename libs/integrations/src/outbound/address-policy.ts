import { BlockList, isIP } from 'node:net';
import type { OutboundPolicy } from '../integrations.config.js';

const block = (ranges: Array<[string, number, 'ipv4' | 'ipv6']>): BlockList => {
  const list = new BlockList();
  for (const [net, prefix, family] of ranges) list.addSubnet(net, prefix, family);
  return list;
};

/** Never reachable: "this host", link-local (cloud metadata at 169.254.169.254 / fd00:ec2::254), multicast, reserved. */
const ALWAYS_REFUSED = block([
  ['0.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
  ['fd00:ec2::254', 128, 'ipv6'],
]);
const LOOPBACK = block([
  ['127.0.0.0', 8, 'ipv4'],
  ['::1', 128, 'ipv6'],
]);
const PRIVATE = block([
  ['10.0.0.0', 8, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['fc00::', 7, 'ipv6'],
]);

/** An IPv4 address mapped into IPv6 (`::ffff:10.0.0.1`) is judged as the IPv4 address it is. */
const unmapped = (address: string): string => {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1] : address;
};

/**
 * Why an outbound call to `address` (an IP literal) is refused, or null when it may go. Link-local (cloud metadata),
 * unspecified, multicast and reserved addresses are always refused; loopback and private networks only when the
 * policy allows them, so by default a provider's `base_url` cannot point Atrium at its own host or network.
 */
export function refusedAddress(address: string, policy: OutboundPolicy): string | null {
  const ip = unmapped(address);
  const family = isIP(ip);
  if (family === 0) return `${address} is not an IP address`;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (ALWAYS_REFUSED.check(ip, type)) return `${ip} is a link-local, unspecified, multicast or reserved address`;
  if (LOOPBACK.check(ip, type) && !policy.allowLoopback) {
    return `${ip} is a loopback address (allowed only with INTEGRATION_OUTBOUND_ALLOW_LOOPBACK=true)`;
  }
  if (PRIVATE.check(ip, type) && !policy.allowPrivate) {
    return `${ip} is a private-network address (allowed only with INTEGRATION_OUTBOUND_ALLOW_PRIVATE=true)`;
  }
  return null;
}
