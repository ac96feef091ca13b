import { Injectable } from '@nestjs/common';
import { Clock } from '@atrium/platform';
import { BillingConfig } from '../../billing.config.js';
import { chargeOutcome, readCardNumber } from './sandbox-cards.js';
import { CHECKOUT_TOKEN_SHAPE, checkoutTokenHash } from './sandbox-checkout-token.js';
import type { SandboxCharge } from './sandbox-event.js';
import { SandboxLedger, type SandboxOutcome } from './sandbox-ledger.js';

/** What the checkout page shows next. */
export type CheckoutView =
  /** Unknown token, a used one (GET), or the sandbox is not offered. */
  | { kind: 'not_found' }
  /** The pending charge, to pay or cancel; `error` says why the last submit did not go through. */
  | { kind: 'form'; charge: SandboxCharge; error?: string }
  /** The charge's final state. */
  | { kind: 'result'; charge: SandboxCharge };

/**
 * The payer's side of an on-session sandbox charge: the page a checkout URL opens, and its form. A submit records
 * the outcome once (with the event whose callback then reaches Atrium); a second submit shows that outcome again.
 */
@Injectable()
export class SandboxCheckoutService {
  constructor(
    private readonly config: BillingConfig,
    private readonly ledger: SandboxLedger,
    private readonly clock: Clock,
  ) {}

  async show(token: string): Promise<CheckoutView> {
    const charge = await this.find(token);
    return charge?.status === 'pending' ? { kind: 'form', charge } : { kind: 'not_found' };
  }

  /** `form`: the posted fields (`action` = pay | cancel, `card_number`). */
  async submit(token: string, form: Record<string, unknown>): Promise<CheckoutView> {
    const charge = await this.find(token);
    if (!charge) return { kind: 'not_found' };
    if (charge.status !== 'pending') return { kind: 'result', charge };
    const outcome = this.outcomeOf(form);
    if ('error' in outcome) return { kind: 'form', charge, error: outcome.error };
    const hash = checkoutTokenHash(token);
    // Null when another submit got there first: the page then shows the outcome that one recorded.
    const completed = (await this.ledger.complete(hash, outcome, this.clock.now())) ?? (await this.ledger.chargeByTokenHash(hash));
    return completed ? { kind: 'result', charge: completed } : { kind: 'not_found' };
  }

  private async find(token: string): Promise<SandboxCharge | null> {
    if (!this.config.sandbox || !CHECKOUT_TOKEN_SHAPE.test(token)) return null;
    return this.ledger.chargeByTokenHash(checkoutTokenHash(token));
  }

  private outcomeOf(form: Record<string, unknown>): SandboxOutcome | { error: string } {
    if (form.action === 'cancel') return { status: 'cancelled', failureCode: null, failureMessage: null };
    if (form.action !== 'pay') return { error: 'Choose Pay or Cancel.' };
    const typed = typeof form.card_number === 'string' ? form.card_number.slice(0, 64) : '';
    const entry = readCardNumber(typed);
    switch (entry.kind) {
      case 'invalid':
        return { error: 'That card number is not valid. Check the digits and try again.' };
      case 'not_a_test_card':
        return { error: 'The sandbox takes only the test card numbers listed below, never a real card.' };
      case 'test_card':
        return chargeOutcome(entry.card.behaviour);
    }
  }
}
