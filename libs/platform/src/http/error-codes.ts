import { DomainError, type ErrorKind } from './domain-error.js';

/** One error code of a module: the kind (so exactly one HTTP status) and its default user-facing message. */
export interface ErrorCodeSpec {
  kind: ErrorKind;
  message: string;
}

/** Throws the error; a call may give a more precise message (naming what was wrong) and details. */
export type ErrorFactory = (message?: string, details?: unknown, headers?: Record<string, string>) => DomainError;

/** Every code any module has defined, with its module and kind: a code has one meaning platform-wide. */
const defined = new Map<string, { module: string; kind: ErrorKind }>();

/**
 * A module's error codes, each with one kind and one meaning. Defining a code that another module (or this
 * one, with another kind) already defined throws at start-up, so one code never means two things.
 *
 *     export const AccessError = defineErrors('access', { session_revoked: { kind: 'unauthorized', message: '…' } });
 *     throw AccessError.session_revoked();
 */
export function defineErrors<const T extends Record<string, ErrorCodeSpec>>(
  module: string,
  specs: T,
): { readonly [K in keyof T]: ErrorFactory } {
  const factories = {} as Record<string, ErrorFactory>;
  for (const [code, spec] of Object.entries(specs)) {
    const earlier = defined.get(code);
    if (earlier && (earlier.module !== module || earlier.kind !== spec.kind)) {
      throw new Error(`Error code "${code}" of ${module} is already defined by ${earlier.module} (${earlier.kind})`);
    }
    defined.set(code, { module, kind: spec.kind });
    factories[code] = (message, details, headers) => new DomainError(spec.kind, code, message ?? spec.message, details, headers);
  }
  return factories as { readonly [K in keyof T]: ErrorFactory };
}

/** The codes defined so far, by code (for the uniqueness spec and docs). */
export function definedErrorCodes(): ReadonlyMap<string, { module: string; kind: ErrorKind }> {
  return defined;
}
