import type { EntityManager } from 'typeorm';

/** `INV-2026-000042`: the year and the organization's sequence for that year, zero-padded to six digits. */
export function formatInvoiceNumber(year: number, seq: number): string {
  return `INV-${year}-${String(seq).padStart(6, '0')}`;
}

/**
 * Takes the organization's next invoice sequence for `year`, inside the caller's transaction. The counter row stays
 * locked until that transaction ends, so concurrent issuers of one organization queue on it (and on nothing else),
 * and a rollback returns the number: the sequence has no gaps.
 */
export async function nextInvoiceSeq(em: EntityManager, organizationId: string, year: number): Promise<number> {
  const rows: Array<{ last_seq: number }> = await em.query(
    `INSERT INTO invoice_counters (organization_id, year, last_seq) VALUES ($1, $2, 1)
     ON CONFLICT (organization_id, year) DO UPDATE SET last_seq = invoice_counters.last_seq + 1
     RETURNING last_seq`,
    [organizationId, year],
  );
  return rows[0].last_seq;
}

/** Gives back the sequence just taken with `nextInvoiceSeq` in this transaction (its row is still locked by it). */
export async function returnInvoiceSeq(em: EntityManager, organizationId: string, year: number, seq: number): Promise<void> {
  await em.query(`UPDATE invoice_counters SET last_seq = last_seq - 1 WHERE organization_id = $1 AND year = $2 AND last_seq = $3`, [
    organizationId,
    year,
    seq,
  ]);
}
