import { hash } from 'node:crypto';
import { isUuid, SignedTokens } from '@atrium/platform';

/**
 * A quote travels as a signed token instead of a stored row: `q1.<payload>.<mac>`, the payload base64url JSON, the
 * MAC base64url HMAC-SHA256 over `q1.<payload>` with a key derived from the app's encryption key. The payload is
 * readable by whoever holds the token (the organization's own figures); the MAC makes it unforgeable.
 */

/** What a quote says: what was priced, for whom, until when, and from which subscription terms. */
export interface QuoteClaims {
  /** Random (uuid): the single-use key a payment or an applied change records. */
  id: string;
  organizationId: string;
  packageId: number;
  period: string;
  customMonths: number | null;
  listMinor: number;
  creditMinor: number;
  dueMinor: number;
  currency: string;
  periodStart: Date;
  periodEnd: Date;
  expiresAt: Date;
  /** `termsFingerprint` of the subscription the credit was computed from. */
  terms: string;
}

/** A quote with the token that carries it (the `quote_id` clients send back). */
export interface Quote extends QuoteClaims {
  token: string;
}

/** The subscription columns a quote's credit depends on, as PostgreSQL returns them. */
export interface SubscriptionTerms {
  package_id: number;
  status: string;
  current_period_start: Date | null;
  current_period_end: Date | null;
  amount_minor: string | number;
  currency: string;
}

export const QUOTE_TOKEN_MAX_LENGTH = 600;
/** The shape of a token (the MAC is always 43 characters: 32 bytes in base64url). */
export const QUOTE_TOKEN_PATTERN = /^q1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/;

/** Signs and verifies quote tokens (the platform's SignedTokens, a key of their own). */
export class QuoteTokens {
  private readonly tokens: SignedTokens;

  constructor(encryptionKey: Buffer) {
    this.tokens = new SignedTokens(encryptionKey, { prefix: 'q1.', keyInfo: 'atrium/billing-quote', maxLength: QUOTE_TOKEN_MAX_LENGTH });
  }

  sign(claims: QuoteClaims): string {
    const payload: WirePayload = {
      id: claims.id,
      org: claims.organizationId,
      pkg: claims.packageId,
      per: claims.period,
      cm: claims.customMonths,
      lst: claims.listMinor,
      crd: claims.creditMinor,
      due: claims.dueMinor,
      cur: claims.currency,
      ps: claims.periodStart.getTime(),
      pe: claims.periodEnd.getTime(),
      exp: claims.expiresAt.getTime(),
      trm: claims.terms,
    };
    return this.tokens.sign(payload);
  }

  /** The claims of a token this key signed, or null for anything else (malformed, tampered, another key). */
  verify(token: string): QuoteClaims | null {
    const payload = this.tokens.verify(token);
    return payload === null ? null : claimsOf(payload);
  }
}

/** Identifies the subscription terms a quote was priced from (times to the millisecond, as the price uses them). */
export function termsFingerprint(t: SubscriptionTerms): string {
  const text = JSON.stringify([
    t.package_id,
    t.status,
    t.current_period_start?.getTime() ?? null,
    t.current_period_end?.getTime() ?? null,
    String(t.amount_minor),
    t.currency,
  ]);
  return hash('sha256', text, 'base64url').slice(0, 22);
}

interface WirePayload {
  id: string;
  org: string;
  pkg: number;
  per: string;
  cm: number | null;
  lst: number;
  crd: number;
  due: number;
  cur: string;
  ps: number;
  pe: number;
  exp: number;
  trm: string;
}

const isInt = (v: unknown): v is number => Number.isSafeInteger(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** A signed payload is ours, but a key shared across versions could sign other shapes: read it defensively. */
function claimsOf(p: unknown): QuoteClaims | null {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return null;
  const w = p as Partial<Record<keyof WirePayload, unknown>>;
  if (
    !isUuid(w.id) ||
    !isUuid(w.org) ||
    !isInt(w.pkg) ||
    !isText(w.per) ||
    !(w.cm === null || isInt(w.cm)) ||
    !isInt(w.lst) ||
    !isInt(w.crd) ||
    !isInt(w.due) ||
    !isText(w.cur) ||
    !isInt(w.ps) ||
    !isInt(w.pe) ||
    !isInt(w.exp) ||
    !isText(w.trm)
  ) {
    return null;
  }
  return {
    id: w.id,
    organizationId: w.org,
    packageId: w.pkg,
    period: w.per,
    customMonths: w.cm,
    listMinor: w.lst,
    creditMinor: w.crd,
    dueMinor: w.due,
    currency: w.cur,
    periodStart: new Date(w.ps),
    periodEnd: new Date(w.pe),
    expiresAt: new Date(w.exp),
    terms: w.trm,
  };
}
