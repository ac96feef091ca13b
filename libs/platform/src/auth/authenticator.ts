import type { RequestContext } from '../context/request-context.js';

/** What a caller presented: a bearer token, an API key, and the organization it asks to act for. */
export interface Credentials {
  bearer?: string;
  apiKey?: string;
  organizationId?: string;
  requestId: string;
  ip?: string;
  userAgent?: string;
}

/**
 * Turns credentials into a RequestContext or throws a 401 DomainError. The identity library
 * provides the implementation; the platform's guard and socket gateway only depend on this.
 */
export abstract class Authenticator {
  abstract authenticate(credentials: Credentials): Promise<RequestContext>;
}
