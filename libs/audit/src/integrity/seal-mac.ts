import { createHash, createHmac, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@atrium/platform';

/** What a seal's MAC covers: every field of the seal, the SHA-256 of its entries' digests, and the previous seal's MAC. */
export interface SealFields {
  organizationId: string;
  sequence: string;
  /** The previous seal's MAC; null for an organization's first seal. */
  prevMac: Buffer | null;
  fromTxid: string;
  toTxid: string;
  entryCount: number;
  firstEntryId: string;
  lastEntryId: string;
  /** Epoch microseconds, as text (a JS Date keeps only milliseconds). */
  firstCreatedAt: string;
  lastCreatedAt: string;
  /** SHA-256 of the concatenated 32-byte entry digests. */
  digestsHash: Buffer;
}

/** What a retention checkpoint's MAC covers: the segment it removed, ending at seal `upToSequence` with MAC `sealMac`. */
export interface CheckpointFields {
  organizationId: string;
  upToSequence: string;
  sealMac: Buffer;
  toTxid: string;
  entriesRemoved: string;
}

const hex = (b: Buffer | null) => (b ? b.toString('hex') : '-');

/** The canonical text a seal's MAC is computed over: one `name=value` line per field, in a fixed order, versioned. */
export function sealMacInput(f: SealFields): string {
  return [
    'atrium-audit-seal-v1',
    `organization_id=${f.organizationId}`,
    `sequence=${f.sequence}`,
    `prev_mac=${hex(f.prevMac)}`,
    `from_txid=${f.fromTxid}`,
    `to_txid=${f.toTxid}`,
    `entry_count=${f.entryCount}`,
    `first_entry_id=${f.firstEntryId}`,
    `last_entry_id=${f.lastEntryId}`,
    `first_created_at=${f.firstCreatedAt}`,
    `last_created_at=${f.lastCreatedAt}`,
    `digests_sha256=${hex(f.digestsHash)}`,
  ].join('\n');
}

/** The canonical text a checkpoint's MAC is computed over. */
export function checkpointMacInput(f: CheckpointFields): string {
  return [
    'atrium-audit-checkpoint-v1',
    `organization_id=${f.organizationId}`,
    `up_to_sequence=${f.upToSequence}`,
    `seal_mac=${hex(f.sealMac)}`,
    `to_txid=${f.toTxid}`,
    `entries_removed=${f.entriesRemoved}`,
  ].join('\n');
}

/** SHA-256 of a seal's concatenated entry digests (what its MAC covers instead of the digests themselves). */
export function digestsHash(digests: Buffer): Buffer {
  return createHash('sha256').update(digests).digest();
}

/**
 * MACs of the audit seal chain: HMAC-SHA256 with a key derived (HKDF-SHA256, its own info string) from ENCRYPTION_KEY.
 * The key lives only in the processes' memory, so write access to the database alone cannot forge a seal.
 */
@Injectable()
export class SealMac {
  private readonly key: KeyObject;

  constructor(app: AppConfig) {
    this.key = SealMac.deriveKey(app.encryptionKey);
  }

  /** The seal key for an encryption key (exported for the specs that check a MAC by hand). */
  static deriveKey(encryptionKey: Buffer): KeyObject {
    return createSecretKey(Buffer.from(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), 'atrium/audit-seal', 32)));
  }

  seal(fields: SealFields): Buffer {
    return this.mac(sealMacInput(fields));
  }

  checkpoint(fields: CheckpointFields): Buffer {
    return this.mac(checkpointMacInput(fields));
  }

  private mac(input: string): Buffer {
    return createHmac('sha256', this.key).update(input, 'utf8').digest();
  }
}
