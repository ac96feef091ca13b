import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Outbox, returnedRows } from '@atrium/platform';
import type { GatewayChargeStatus, GatewayCustomerInput } from '../payment-gateway.js';
import type { SandboxCardBehaviour, SandboxTestCard } from './sandbox-cards.js';
import { chargeEvent, type SandboxCharge, type SandboxEventPayload } from './sandbox-event.js';

/** The outbox event that hands a recorded callback to the queue once its charge's outcome is committed. */
export const SANDBOX_EVENT_RECORDED = 'sandbox.event_recorded';

/** A gateway id: its prefix and 24 random hex characters (`sbx_ch_…`, like Stripe's `ch_…`). */
export const sandboxId = (prefix: 'sbx_cus_' | 'sbx_pm_' | 'sbx_ch_' | 'evt_sbx_') => `${prefix}${randomBytes(12).toString('hex')}`;

interface ChargeRow {
  id: string;
  customer_id: string;
  payment_id: string;
  organization_id: string;
  amount_minor: string;
  currency: string;
  description: string;
  status: GatewayChargeStatus;
  failure_code: string | null;
  failure_message: string | null;
  return_url: string | null;
  idempotency_key: string;
  off_session: boolean;
  created_at: Date;
  completed_at: Date | null;
}

const toCharge = (r: ChargeRow): SandboxCharge => ({
  id: r.id,
  customerId: r.customer_id,
  paymentId: r.payment_id,
  organizationId: r.organization_id,
  amountMinor: Number(r.amount_minor),
  currency: r.currency,
  description: r.description,
  status: r.status,
  failureCode: r.failure_code,
  failureMessage: r.failure_message,
  returnUrl: r.return_url,
  idempotencyKey: r.idempotency_key,
  offSession: r.off_session,
  createdAt: r.created_at,
  completedAt: r.completed_at,
});

/** A charge to write: pending with a checkout token hash (on-session), or already final (off-session). */
export interface NewSandboxCharge extends Omit<SandboxCharge, 'completedAt'> {
  paymentMethodId: string | null;
  checkoutTokenHash: string | null;
}

/** A final outcome for a pending charge. */
export interface SandboxOutcome {
  status: 'succeeded' | 'failed' | 'cancelled';
  failureCode: string | null;
  failureMessage: string | null;
}

/**
 * The sandbox gateway's records (tables `sandbox_*`), reached by the gateway's own ids: like a real gateway's
 * API, they are not scoped by an Atrium request context. A charge leaves `pending` once; the event announcing it is
 * written in the same transaction, with the outbox record that queues its callback.
 */
@Injectable()
export class SandboxLedger {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  /** One customer per organization: creating it again returns the same id (with the name and email updated). */
  async upsertCustomer(input: GatewayCustomerInput, at: Date): Promise<string> {
    const [row] = returnedRows<{ id: string }>(
      await this.dataSource.query(
        `INSERT INTO sandbox_customers (id, organization_id, name, email, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (organization_id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email
         RETURNING id`,
        [sandboxId('sbx_cus_'), input.organizationId, input.name, input.email ?? null, at],
      ),
    );
    return row.id;
  }

  async customerExists(customerId: string): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>('SELECT 1 FROM sandbox_customers WHERE id = $1', [customerId]);
    return rows.length > 0;
  }

  async addPaymentMethod(customerId: string, card: SandboxTestCard, at: Date): Promise<string> {
    const id = sandboxId('sbx_pm_');
    await this.dataSource.query(
      `INSERT INTO sandbox_payment_methods (id, customer_id, brand, last4, behaviour, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [id, customerId, card.brand, card.last4, card.behaviour, at],
    );
    return id;
  }

  /** A saved method of this customer (another customer's is not found). */
  async paymentMethod(id: string, customerId: string): Promise<{ behaviour: SandboxCardBehaviour } | null> {
    const [row] = await this.dataSource.query<Array<{ behaviour: SandboxCardBehaviour }>>(
      'SELECT behaviour FROM sandbox_payment_methods WHERE id = $1 AND customer_id = $2',
      [id, customerId],
    );
    return row ?? null;
  }

  /**
   * Writes the charge unless its idempotency key is taken (then null: read the existing one with `chargeByKey`).
   * A final (off-session) charge gets its event and callback in the same transaction.
   */
  async insertCharge(c: NewSandboxCharge): Promise<SandboxCharge | null> {
    return this.dataSource.transaction(async (em) => {
      const [row] = returnedRows<ChargeRow>(
        await em.query(
          `INSERT INTO sandbox_charges (id, customer_id, payment_method_id, payment_id, organization_id, amount_minor, currency,
             description, status, failure_code, failure_message, checkout_token_hash, return_url, idempotency_key, off_session,
             created_at, completed_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
           ON CONFLICT (idempotency_key) DO NOTHING
           RETURNING *`,
          [
            c.id,
            c.customerId,
            c.paymentMethodId,
            c.paymentId,
            c.organizationId,
            c.amountMinor,
            c.currency,
            c.description,
            c.status,
            c.failureCode,
            c.failureMessage,
            c.checkoutTokenHash,
            c.returnUrl,
            c.idempotencyKey,
            c.offSession,
            c.createdAt,
            c.status === 'pending' ? null : c.createdAt,
          ],
        ),
      );
      if (!row) return null;
      const charge = toCharge(row);
      if (charge.status !== 'pending') await this.recordEvent(em, charge, c.createdAt);
      return charge;
    });
  }

  async charge(id: string): Promise<SandboxCharge | null> {
    const [row] = await this.dataSource.query<ChargeRow[]>('SELECT * FROM sandbox_charges WHERE id = $1', [id]);
    return row ? toCharge(row) : null;
  }

  async chargeByKey(idempotencyKey: string): Promise<SandboxCharge | null> {
    const [row] = await this.dataSource.query<ChargeRow[]>('SELECT * FROM sandbox_charges WHERE idempotency_key = $1', [idempotencyKey]);
    return row ? toCharge(row) : null;
  }

  /** The on-session charge a checkout page token (by its hash) stands for. */
  async chargeByTokenHash(tokenHash: string): Promise<SandboxCharge | null> {
    const [row] = await this.dataSource.query<ChargeRow[]>('SELECT * FROM sandbox_charges WHERE checkout_token_hash = $1', [tokenHash]);
    return row ? toCharge(row) : null;
  }

  /**
   * Moves a pending on-session charge to its outcome and records the event announcing it, in one transaction.
   * Null when the charge is not pending any more (a second submit, or two at once: only one wins).
   */
  async complete(tokenHash: string, outcome: SandboxOutcome, at: Date): Promise<SandboxCharge | null> {
    return this.dataSource.transaction(async (em) => {
      const [row] = returnedRows<ChargeRow>(
        await em.query(
          `UPDATE sandbox_charges SET status = $2, failure_code = $3, failure_message = $4, completed_at = $5
            WHERE checkout_token_hash = $1 AND status = 'pending'
           RETURNING *`,
          [tokenHash, outcome.status, outcome.failureCode, outcome.failureMessage, at],
        ),
      );
      if (!row) return null;
      const charge = toCharge(row);
      await this.recordEvent(em, charge, at);
      return charge;
    });
  }

  /** Claims an undelivered event for one delivery attempt (counting it); null once delivered or unknown. */
  async claimForDelivery(eventId: string): Promise<SandboxEventPayload | null> {
    const [row] = returnedRows<{ payload: SandboxEventPayload }>(
      await this.dataSource.query(
        'UPDATE sandbox_events SET attempts = attempts + 1 WHERE id = $1 AND delivered_at IS NULL RETURNING payload',
        [eventId],
      ),
    );
    return row?.payload ?? null;
  }

  async markDelivered(eventId: string, at: Date): Promise<void> {
    await this.dataSource.query('UPDATE sandbox_events SET delivered_at = $2 WHERE id = $1 AND delivered_at IS NULL', [eventId, at]);
  }

  /** The event for a charge's final state, and the outbox record that queues its callback after the commit. */
  private async recordEvent(em: EntityManager, charge: SandboxCharge, at: Date): Promise<string> {
    const event = chargeEvent(sandboxId('evt_sbx_'), charge, at);
    await em.query(`INSERT INTO sandbox_events (id, type, charge_id, payload, created_at) VALUES ($1, $2, $3, $4::jsonb, $5)`, [
      event.id,
      event.type,
      charge.id,
      JSON.stringify(event),
      at,
    ]);
    this.outbox.add(em, { name: SANDBOX_EVENT_RECORDED, payload: { event_id: event.id } });
    return event.id;
  }
}
