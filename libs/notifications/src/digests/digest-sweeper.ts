import { AcrossTenants } from '@atrium/platform';
import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { digestJob, DigestSender } from './digest-sender.js';

/**
 * How long past its due time a digest may stay open before the sweep ends it: its delayed job fires at the due
 * time, so a digest open this much later has lost its job (a queue flushed or restored, a job failed for good).
 */
export const DIGEST_OVERDUE_SECONDS = 120;
/** Digests ended per sweep; the next sweep takes the rest. */
const SWEEP_LIMIT = 500;

/**
 * Ends digests whose job was lost, as their job would have: through the same sender, which locks the row, so a job
 * that runs late at the same moment and the sweep send one notification between them.
 */
@Injectable()
export class DigestSweeper {
  private readonly log = new Logger(DigestSweeper.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly sender: DigestSender,
  ) {}

  /** Answers how many overdue digests it sent (those a late job or a read ended meanwhile are not counted). */
  @AcrossTenants()
  async sweep(): Promise<number> {
    const overdue: Array<{ id: string; organization_id: string }> = await this.dataSource.query(
      `SELECT id, organization_id FROM notification_digests
        WHERE due_at < now() - make_interval(secs => $1) ORDER BY due_at LIMIT ${SWEEP_LIMIT}`,
      [DIGEST_OVERDUE_SECONDS],
    );
    const requestId = randomUUID();
    let sent = 0;
    for (const d of overdue) {
      const outcome = await this.sender.send(digestJob(requestId, d.organization_id, d.id));
      if (outcome.outcome === 'sent') sent++;
    }
    if (overdue.length) this.log.warn({ overdue: overdue.length, sent }, 'ended digests whose job was lost');
    return sent;
  }
}
