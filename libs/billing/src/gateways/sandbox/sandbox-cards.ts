/**
 * The sandbox's test cards and saved-card tokens, as Stripe documents its own: the only numbers the checkout page
 * accepts, and the only tokens auto-renew can save. Nothing here is a real card; real numbers are refused.
 */

/** How a card behaves when charged. */
export type SandboxCardBehaviour = 'succeed' | 'decline' | 'insufficient_funds';

export interface SandboxTestCard {
  /** As printed on the checkout page. */
  number: string;
  brand: string;
  last4: string;
  behaviour: SandboxCardBehaviour;
  /** What the page says the card does. */
  outcome: string;
}

export const SANDBOX_TEST_CARDS: readonly SandboxTestCard[] = [
  { number: '4242 4242 4242 4242', brand: 'visa', last4: '4242', behaviour: 'succeed', outcome: 'succeeds' },
  { number: '4000 0000 0000 0002', brand: 'visa', last4: '0002', behaviour: 'decline', outcome: 'is declined' },
  { number: '4000 0000 0000 9995', brand: 'visa', last4: '9995', behaviour: 'insufficient_funds', outcome: 'fails for insufficient funds' },
];

/** Stripe's documented test tokens for saved cards (auto-renew), each charging like the card of the same behaviour. */
export const SANDBOX_CARD_TOKENS: Readonly<Record<string, SandboxTestCard>> = {
  tok_visa: SANDBOX_TEST_CARDS[0],
  tok_chargeDeclined: SANDBOX_TEST_CARDS[1],
  tok_chargeDeclinedInsufficientFunds: SANDBOX_TEST_CARDS[2],
};

/** A charge's outcome for a card behaviour: the status and, on failure, Stripe's decline code and message. */
export function chargeOutcome(behaviour: SandboxCardBehaviour): {
  status: 'succeeded' | 'failed';
  failureCode: string | null;
  failureMessage: string | null;
} {
  switch (behaviour) {
    case 'succeed':
      return { status: 'succeeded', failureCode: null, failureMessage: null };
    case 'decline':
      return { status: 'failed', failureCode: 'card_declined', failureMessage: 'Your card was declined.' };
    case 'insufficient_funds':
      return { status: 'failed', failureCode: 'insufficient_funds', failureMessage: 'Your card has insufficient funds.' };
  }
}

/** The Luhn checksum every card number carries. */
export function luhnValid(digits: string): boolean {
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** What the page makes of a typed card number. */
export type CardEntry = { kind: 'test_card'; card: SandboxTestCard } | { kind: 'invalid' } | { kind: 'not_a_test_card' };

/** Reads a card number as typed (spaces and dashes allowed) and says which test card it is, if any. */
export function readCardNumber(typed: string): CardEntry {
  const digits = typed.replace(/[\s-]/g, '');
  if (!luhnValid(digits)) return { kind: 'invalid' };
  const card = SANDBOX_TEST_CARDS.find((c) => c.number.replace(/ /g, '') === digits);
  return card ? { kind: 'test_card', card } : { kind: 'not_a_test_card' };
}
