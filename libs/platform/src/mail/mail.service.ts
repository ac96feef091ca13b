import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { DataSource, type EntityManager } from 'typeorm';
import { RequestContext } from '../context/request-context.js';
import { returnedRows } from '../database/sql-result.js';
import { Outbox, type OutboxEvent } from '../events/outbox.js';
import { envelope, jobIdFor } from '../queue/job-envelope.js';
import { Clock } from '../time/clock.js';
import { assertSafeHeaders } from './mail-headers.js';
import { MAIL_QUEUE, type MailJob, type MailMessage, type MailSendOptions, type OutgoingMail } from './mail-message.js';

/** The outbox event that hands a committed mail delivery to the queue; it names the delivery only, never the message. */
export const MAIL_QUEUED = 'mail.queued';

interface MailQueued {
  idempotency_key: string;
  organization_id: string | null;
  /** The delivery's `send_after` (ISO), so the subscriber needs no query to delay its job; absent in events written before it. */
  send_after?: string | null;
}

/**
 * Queues mail for delivery; the same idempotency key never sends twice. The message is written with the
 * caller's change and reaches the queue through the outbox (subscriber `mail`), so a crash after the commit
 * cannot lose it and a rolled-back change sends nothing.
 */
@Injectable()
export class MailService implements OnModuleInit {
  constructor(
    @InjectQueue(MAIL_QUEUE) private readonly queue: Queue<MailJob>,
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.outbox.subscribe({ name: 'mail', events: [MAIL_QUEUED], handle: (event) => this.enqueue(event as OutboxEvent<MailQueued>) });
  }

  /**
   * Writes the delivery in `em`'s transaction: the message waits in its `mail_deliveries` row (queues keep
   * finished jobs for days, and mail carries one-time links) and an outbox event naming only the delivery queues
   * it once committed. Sending the same key again changes nothing. With `notBefore`, the job waits in the queue
   * (delayed) until then. A header the message may not carry (see `assertSafeHeaders`) throws before anything is written.
   */
  async sendIn(
    em: EntityManager,
    ctx: RequestContext,
    message: MailMessage,
    idempotencyKey: string,
    opts: MailSendOptions = {},
  ): Promise<void> {
    await this.sendAllIn(em, ctx, [{ message, idempotencyKey, notBefore: opts.notBefore }]);
  }

  /**
   * `sendIn` for many mails at once (a notification to a thousand members): one statement writes every delivery whose
   * key is new, and each gets its outbox event. Every header is checked before anything is written.
   */
  async sendAllIn(em: EntityManager, ctx: RequestContext, mails: OutgoingMail[]): Promise<void> {
    if (!mails.length) return;
    for (const m of mails) assertSafeHeaders(m.message.headers);
    const organizationId = ctx.organizationId ?? null;
    const inserted = returnedRows<{ idempotency_key: string; send_after: Date | null }>(
      await em.query(
        `INSERT INTO mail_deliveries (idempotency_key, organization_id, message, send_after, message_id)
         SELECT k, $2::uuid, m, s, i FROM unnest($1::text[], $3::jsonb[], $4::timestamptz[], $5::text[]) AS t (k, m, s, i)
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key, send_after`,
        [
          mails.map((m) => m.idempotencyKey),
          organizationId,
          mails.map((m) => JSON.stringify(m.message)),
          mails.map((m) => m.notBefore ?? null),
          // The Message-ID the mail goes out with (see MailProcessor), so a provider's delivery report finds its row.
          mails.map((m) => jobIdFor(m.idempotencyKey)),
        ],
      ),
    );
    for (const { idempotency_key, send_after } of inserted) {
      this.outbox.add(em, {
        name: MAIL_QUEUED,
        payload: { idempotency_key, organization_id: organizationId, send_after: send_after?.toISOString() ?? null } satisfies MailQueued,
        requestId: ctx.requestId,
      });
    }
  }

  /** `sendIn` in a transaction of its own, for mail that goes with no other change. */
  async send(ctx: RequestContext, message: MailMessage, idempotencyKey: string, opts: MailSendOptions = {}): Promise<void> {
    await this.dataSource.transaction((em) => this.sendIn(em, ctx, message, idempotencyKey, opts));
  }

  /**
   * Adding twice (a redelivered event) is harmless: the job id is the key's, and a sent delivery has no message left.
   * A held delivery's job is delayed until its `send_after` (the event carries it), counted from the app's Clock (the
   * one "now" that schedules read), so a delay computed by a caller on that clock means what the caller meant.
   */
  private async enqueue(event: OutboxEvent<MailQueued>): Promise<void> {
    const { idempotency_key: key, organization_id: organizationId, send_after: sendAfter } = event.payload;
    const delay = sendAfter ? Math.max(0, Date.parse(sendAfter) - this.clock.now().getTime()) : 0;
    const ctx = RequestContext.system(event.requestId ?? event.id, organizationId ?? undefined);
    await this.queue.add('send', envelope(ctx, key, {}), { jobId: jobIdFor(key), delay });
  }
}
