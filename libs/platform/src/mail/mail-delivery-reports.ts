import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  PayloadReader,
  type ReceivedWebhookEvent,
  WebhookHandlerRegistry,
  webhookFields,
} from '../contributions/webhook-handlers.registry.js';
import { returnedRows } from '../database/sql-result.js';

/** The webhook event types of a mail provider's delivery reports, and the column each one sets. */
const REPORTS = { 'email.delivered': 'delivered_at', 'email.bounced': 'bounced_at' } as const;

/** `<id@atrium>` (the header as sent) or the bare id. */
const MESSAGE_ID = /^<?([0-9a-f]{40})(@atrium)?>?$/i;

/**
 * A mail provider's delivery reports, as inbound webhooks (`email.delivered`, `email.bounced`, with the
 * `message_id` the mail was sent with): they set the delivery's `delivered_at` / `bounced_at` (the notification's
 * `email_status`). The first report of each kind keeps its time; a report for a message the organization never sent
 * fails its attempt.
 */
@Injectable()
export class MailDeliveryReports implements OnModuleInit {
  constructor(private readonly handlers: WebhookHandlerRegistry) {}

  onModuleInit(): void {
    for (const [type, column] of Object.entries(REPORTS)) {
      this.handlers.register(type, { handle: (event, em) => this.apply(event, em, column) });
    }
  }

  private async apply(event: ReceivedWebhookEvent, em: EntityManager, column: (typeof REPORTS)[keyof typeof REPORTS]): Promise<void> {
    const fields = new PayloadReader(webhookFields(event));
    const raw = fields.string(['message_id', 'messageId'], { required: true, max: 200 });
    const id = raw ? MESSAGE_ID.exec(raw)?.[1]?.toLowerCase() : undefined;
    if (raw && !id) fields.problem('message_id must be the Message-ID Atrium sent (40 hex characters, optionally as <…@atrium>)');
    fields.done();
    const updated = returnedRows<{ idempotency_key: string }>(
      await em.query(
        `UPDATE mail_deliveries SET ${column} = coalesce(${column}, now())
          WHERE message_id = $1 AND organization_id = $2 RETURNING idempotency_key`,
        [id, event.organizationId],
      ),
    );
    if (!updated.length) throw new Error(`No mail delivery of this organization has message_id ${id}`);
  }
}
