import { createSecretKey, type KeyObject } from 'node:crypto';

/** The signature schemes a provider may use. */
export const SIGNATURE_SCHEMES = ['hmac-sha256', 'standard-webhooks', 'stripe'] as const;
export type SignatureSchemeName = (typeof SIGNATURE_SCHEMES)[number];

/** Seconds a signed timestamp may be older, or newer (clock skew), than now: the schemes that sign one. */
export const TIMESTAMP_TOLERANCE_S = 300;

/** What a scheme reads of an incoming webhook: the exact bytes, its headers (lower-case names) and the time it came. */
export interface SignedRequest {
  body: Buffer;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  nowMs: number;
}

/** One header's value (the first, when sent twice), or undefined. */
export function headerOf(req: SignedRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * A provider's signing secret in clear, with what the schemes derive from it kept once (the secret is cached per
 * process by its sealed value, so a rotation makes a new one).
 */
export class SigningSecret {
  private key?: KeyObject;
  private readonly derived = new Map<string, unknown>();

  constructor(readonly value: string) {}

  /** The secret's UTF-8 bytes as an HMAC key: a KeyObject, since `createHmac` re-imports a string key on every call. */
  get hmacKey(): KeyObject {
    return (this.key ??= createSecretKey(Buffer.from(this.value, 'utf8')));
  }

  /** A scheme's own object built from the secret (a verifier), built once. */
  memo<T>(scheme: string, build: (secret: string) => T): T {
    if (!this.derived.has(scheme)) this.derived.set(scheme, build(this.value));
    return this.derived.get(scheme) as T;
  }
}

/** Why a request does not verify, in the order the checks run: each is its own answer (400, 400, 401). */
export type SignatureFailure = 'header_missing' | 'timestamp' | 'signature';

/** One signature scheme: the checks in the order the receiving path runs them, and its secrets' format. */
export interface SignatureScheme {
  readonly name: SignatureSchemeName;
  /** The headers a signed request must carry (lower-case), named in the 400 when one is missing. */
  readonly requiredHeaders: readonly string[];
  /** False when the request's signed timestamp is missing, malformed or outside the tolerance (schemes without one: true). */
  timestampOk(req: SignedRequest): boolean;
  /** Whether `secret` signed this request (constant-time comparison). */
  verifies(req: SignedRequest, secret: SigningSecret): boolean;
  /** The sender's own id of the event, where the scheme carries one (a header, or Stripe's body `id`). */
  eventId(req: SignedRequest, body: unknown): string | undefined;
  /** A fresh secret in the scheme's format (shown once). */
  newSecret(): string;
  /** What is wrong with a secret a user chose, or nothing. */
  secretProblems(secret: string): string[];
  /** The headers that sign `body` with `secret` at `at`, as a sender computes them (tests, the bench, the README). */
  sign(body: Buffer | string, secret: string, at: Date, eventId?: string): Record<string, string>;
}

/** Checks, in order, that the request carries the scheme's headers, a timely timestamp and a signature by one of `secrets`. */
export function verifyRequest(
  scheme: SignatureScheme,
  req: SignedRequest,
  secrets: readonly SigningSecret[],
): SignatureFailure | undefined {
  if (scheme.requiredHeaders.some((h) => !headerOf(req, h))) return 'header_missing';
  if (!scheme.timestampOk(req)) return 'timestamp';
  // Every secret is tried (no early exit): the time taken says nothing about which one matched.
  let verified = false;
  for (const secret of secrets) verified = scheme.verifies(req, secret) || verified;
  return verified ? undefined : 'signature';
}

/** Problems shared by every scheme's secrets: a length a user can type and a machine can guess no better than random. */
export function secretLengthProblems(secret: string): string[] {
  if (secret.length < 24) return ['secret must be at least 24 characters'];
  if (secret.length > 256) return ['secret must be at most 256 characters'];
  return [];
}
