import { forbidden, type RequestContext } from '@atrium/platform';

/** The signed-in user's id; API keys (no user) get a 403 saying why, not a misleading 401. */
export function requireUserSession(ctx: RequestContext): string {
  if (!ctx.userId) throw forbidden('user_session_required', 'This action needs a signed-in user; an API key cannot perform it');
  return ctx.userId;
}
