import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  type NamedStatement,
  PayloadReader,
  type ReceivedWebhookEvent,
  runPreparedIn,
  WebhookHandlerRegistry,
  webhookFields,
} from '@atrium/platform';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Upserts the mapping (unique per provider and external id); prepared once per connection, as it runs for every event.
 * The Atrium account is linked when an active member of the organization has the email; an update without an email
 * keeps the known email, name and link.
 */
const UPSERT: NamedStatement = {
  name: 'integrations_external_user_upsert',
  text: `
  INSERT INTO integration_external_users AS x (organization_id, provider_id, external_id, email, name, user_id, last_event_id)
  VALUES ($1, $2, $3, $4, $5,
          (SELECT u.id FROM users u JOIN memberships m ON m.user_id = u.id
            WHERE u.email = $4 AND m.organization_id = $1 AND m.status = 'active'), $6)
  ON CONFLICT (provider_id, external_id) DO UPDATE
     SET email = coalesce(EXCLUDED.email, x.email),
         name = coalesce(EXCLUDED.name, x.name),
         user_id = CASE WHEN EXCLUDED.email IS NULL THEN x.user_id ELSE EXCLUDED.user_id END,
         last_event_id = EXCLUDED.last_event_id,
         updated_at = now()`,
};

/**
 * `user.created` / `user.updated` from a user service: the external-user mapping (external id, email, name, the linked
 * Atrium account). Payload: `{external_id | user_id | id, email?, name? | first_name/last_name}` at the top level or
 * under `payload`/`data`; `user.created` needs an email.
 */
@Injectable()
export class ExternalUserHandlers implements OnModuleInit {
  constructor(private readonly handlers: WebhookHandlerRegistry) {}

  onModuleInit(): void {
    this.handlers.register('user.created', { handle: (event, em) => this.upsert(event, em, true) });
    this.handlers.register('user.updated', { handle: (event, em) => this.upsert(event, em, false) });
  }

  private async upsert(event: ReceivedWebhookEvent, em: EntityManager, emailRequired: boolean): Promise<void> {
    const fields = new PayloadReader(webhookFields(event));
    const externalId = fields.string(['external_id', 'user_id', 'id'], { required: true, max: 200 });
    const email = fields.string('email', { required: emailRequired, max: 320 })?.toLowerCase() ?? null;
    if (email && !EMAIL.test(email)) fields.problem('email must be an email address');
    const first = fields.string('first_name', { max: 200 });
    const last = fields.string('last_name', { max: 200 });
    const name = fields.string(['name', 'full_name'], { max: 400 }) ?? ([first, last].filter(Boolean).join(' ') || null);
    fields.done();
    await runPreparedIn(em.queryRunner, em, UPSERT, [event.organizationId, event.providerId, externalId, email, name, event.id]);
  }
}
