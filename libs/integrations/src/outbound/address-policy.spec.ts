import { describe, expect, it } from 'vitest';
import { refusedAddress } from './address-policy.js';

const closed = { allowLoopback: false, allowPrivate: false };
const open = { allowLoopback: true, allowPrivate: true };

describe('refusedAddress', () => {
  it('always refuses cloud metadata, link-local, unspecified and multicast addresses', () => {
    for (const ip of [
      '169.254.169.254',
      '169.254.1.1',
      '0.0.0.0',
      '224.0.0.1',
      'fe80::1',
      'fd00:ec2::254',
      '::',
      '::ffff:169.254.169.254',
    ]) {
      expect(refusedAddress(ip, open), ip).not.toBeNull();
    }
  });

  it('refuses loopback and private networks by default, each allowed by its own setting', () => {
    for (const ip of ['127.0.0.1', '127.8.0.1', '::1', '::ffff:127.0.0.1']) {
      expect(refusedAddress(ip, closed), ip).toMatch(/INTEGRATION_OUTBOUND_ALLOW_LOOPBACK/);
      expect(refusedAddress(ip, { allowLoopback: true, allowPrivate: false }), ip).toBeNull();
    }
    for (const ip of ['10.1.2.3', '172.16.0.9', '172.31.255.1', '192.168.1.1', '100.64.0.1', 'fd12::1']) {
      expect(refusedAddress(ip, closed), ip).toMatch(/INTEGRATION_OUTBOUND_ALLOW_PRIVATE/);
      expect(refusedAddress(ip, { allowLoopback: true, allowPrivate: false }), ip).not.toBeNull();
      expect(refusedAddress(ip, { allowLoopback: false, allowPrivate: true }), ip).toBeNull();
    }
  });

  it('lets public addresses through', () => {
    for (const ip of ['93.184.216.34', '172.32.0.1', '8.8.8.8', '2606:4700::1111']) expect(refusedAddress(ip, closed), ip).toBeNull();
  });
});
