import { createHmac, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '@atrium/platform';
import { checkpointMacInput, type SealFields, SealMac, sealMacInput } from './seal-mac.js';

const app = loadConfig({
  NODE_ENV: 'test',
  JWT_SECRET: 'x'.repeat(32),
  ENCRYPTION_KEY: '7f'.repeat(32),
  DATA_DIR: '/tmp/atrium-seal-spec',
});
const mac = new SealMac(app);

const seal: SealFields = {
  organizationId: '6f1c1f0e-9d55-4a8e-8f4e-0a4f3c2b1a00',
  sequence: '7',
  prevMac: Buffer.alloc(32, 0xab),
  fromTxid: '1200',
  toTxid: '1350',
  entryCount: 3,
  firstEntryId: '00000000-0000-4000-8000-000000000001',
  lastEntryId: '00000000-0000-4000-8000-000000000003',
  firstCreatedAt: '1795000000123456',
  lastCreatedAt: '1795000000999999',
  digestsHash: Buffer.alloc(32, 0x01),
};

/** The documented format, written out by hand: HMAC-SHA256 with HKDF-SHA256(ENCRYPTION_KEY, info 'atrium/audit-seal'). */
function handMade(input: string): Buffer {
  const key = Buffer.from(hkdfSync('sha256', Buffer.from('7f'.repeat(32), 'hex'), Buffer.alloc(0), 'atrium/audit-seal', 32));
  return createHmac('sha256', key).update(input, 'utf8').digest();
}

describe('seal MAC input', () => {
  it("is one name=value line per field in a fixed order, MACs hex, a first seal's missing previous MAC as -", () => {
    expect(sealMacInput(seal)).toBe(
      [
        'atrium-audit-seal-v1',
        'organization_id=6f1c1f0e-9d55-4a8e-8f4e-0a4f3c2b1a00',
        'sequence=7',
        `prev_mac=${'ab'.repeat(32)}`,
        'from_txid=1200',
        'to_txid=1350',
        'entry_count=3',
        'first_entry_id=00000000-0000-4000-8000-000000000001',
        'last_entry_id=00000000-0000-4000-8000-000000000003',
        'first_created_at=1795000000123456',
        'last_created_at=1795000000999999',
        `digests_sha256=${'01'.repeat(32)}`,
      ].join('\n'),
    );
    expect(sealMacInput({ ...seal, sequence: '1', prevMac: null })).toContain('\nprev_mac=-\n');
    expect(mac.seal(seal).equals(handMade(sealMacInput(seal)))).toBe(true);
  });

  it('changes with every field, so no field of a seal can change without the key', () => {
    const changed: Array<Partial<SealFields>> = [
      { organizationId: '6f1c1f0e-9d55-4a8e-8f4e-0a4f3c2b1a01' },
      { sequence: '8' },
      { prevMac: Buffer.alloc(32, 0xac) },
      { prevMac: null },
      { fromTxid: '1201' },
      { toTxid: '1351' },
      { entryCount: 2 },
      { firstEntryId: '00000000-0000-4000-8000-000000000002' },
      { lastEntryId: '00000000-0000-4000-8000-000000000004' },
      { firstCreatedAt: '1795000000123457' },
      { lastCreatedAt: '1795000000999998' },
      { digestsHash: Buffer.alloc(32, 0x02) },
    ];
    const base = mac.seal(seal).toString('hex');
    const seen = new Set([base]);
    for (const change of changed) seen.add(mac.seal({ ...seal, ...change }).toString('hex'));
    expect(seen.size).toBe(changed.length + 1);
  });

  it('cannot be shifted between fields: moving digits from one field to the next changes the input', () => {
    expect(sealMacInput({ ...seal, fromTxid: '12001', toTxid: '350' })).not.toBe(
      sealMacInput({ ...seal, fromTxid: '1200', toTxid: '1350' }),
    );
  });

  it('depends on the key: another ENCRYPTION_KEY gives another MAC', () => {
    const other = new SealMac(
      loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(32), ENCRYPTION_KEY: '11'.repeat(32), DATA_DIR: '/tmp/atrium-seal-spec' }),
    );
    expect(other.seal(seal).equals(mac.seal(seal))).toBe(false);
  });

  it('keeps checkpoints apart from seals (own first line), covering each of their fields', () => {
    const cp = {
      organizationId: seal.organizationId,
      upToSequence: '7',
      sealMac: Buffer.alloc(32, 0xcd),
      toTxid: '1350',
      entriesRemoved: '3',
    };
    expect(checkpointMacInput(cp)).toBe(
      [
        'atrium-audit-checkpoint-v1',
        `organization_id=${seal.organizationId}`,
        'up_to_sequence=7',
        `seal_mac=${'cd'.repeat(32)}`,
        'to_txid=1350',
        'entries_removed=3',
      ].join('\n'),
    );
    expect(mac.checkpoint(cp).equals(handMade(checkpointMacInput(cp)))).toBe(true);
    for (const change of [{ upToSequence: '6' }, { sealMac: Buffer.alloc(32, 0xce) }, { toTxid: '1349' }, { entriesRemoved: '4' }]) {
      expect(mac.checkpoint({ ...cp, ...change }).equals(mac.checkpoint(cp))).toBe(false);
    }
  });
});
