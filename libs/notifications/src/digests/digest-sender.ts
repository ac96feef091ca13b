import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { envelope, type JobEnvelope, jobIdFor, NotificationTypeRegistry, RequestContext, withTenant } from '@atrium/platform';
import { NotificationProducer } from '../delivery/notification-producer.js';
import { DigestStore } from './digest-store.js';

/** The `notifications` queue's job that ends one digest when its window closes. */
export const DIGEST_JOB = 'digest';
export type DigestJob = JobEnvelope<{ digest_id: string }>;

/** The digest job's idempotency key; its job id is `jobIdFor` of it, so a digest has one job however often it is queued. */
export const digestJobKey = (digestId: string): string => `notification-digest:${digestId}`;
export const digestJobId = (digestId: string): string => jobIdFor(digestJobKey(digestId));

/** The job that ends a digest of an organization, acting for it as the system. */
export const digestJob = (requestId: string, organizationId: string, digestId: string): DigestJob =>
  envelope(RequestContext.system(requestId, organizationId), digestJobKey(digestId), { digest_id: digestId });

/**
 * What a digest job did: `sent` the one notification of what was still gathered; `cancelled` when reads dropped
 * everything (no notification, no mail); `closed` when an earlier run already ended it.
 */
export type DigestOutcome = { outcome: 'sent'; events: number } | { outcome: 'cancelled' } | { outcome: 'closed' };

/**
 * Ends a digest when it comes due: locks its row, takes what is left, renders it with its type's digest into one
 * notification (source: the digest, channels: the recipient's preferences, as for any notification) and deletes the
 * row with its items, all in one transaction. Safe with several workers and retries: a second run finds no row.
 */
@Injectable()
export class DigestSender {
  constructor(
    private readonly dataSource: DataSource,
    private readonly types: NotificationTypeRegistry,
    private readonly producer: NotificationProducer,
  ) {}

  async send(job: DigestJob): Promise<DigestOutcome> {
    const ctx = RequestContext.fromJSON(job.ctx);
    const organizationId = ctx.requireOrganizationId();
    return withTenant(organizationId, () => this.sendIn(ctx, organizationId, job));
  }

  private sendIn(ctx: RequestContext, organizationId: string, job: DigestJob): Promise<DigestOutcome> {
    return this.dataSource.transaction(async (em): Promise<DigestOutcome> => {
      const digest = await DigestStore.lock(em, organizationId, job.data.digest_id);
      if (!digest) return { outcome: 'closed' };
      const type = this.types.get(digest.type);
      // Every process registers the same types: a missing one is a deployment fault, retried rather than dropped.
      if (!type?.digest) throw new Error(`Notification type ${digest.type} has no digest in this process`);
      const events = await DigestStore.close(em, digest);
      if (!events.length) return { outcome: 'cancelled' };
      const content = await type.digest.render(events, digest.user_id, em);
      await this.producer.write(em, ctx, type, digest.id, [{ organizationId, userId: digest.user_id }], () => content);
      return { outcome: 'sent', events: events.length };
    });
  }
}
