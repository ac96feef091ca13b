import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { RequestContext } from '../context/request-context.js';
import { PlatformError } from '../platform.errors.js';

/** The context the gateway's handshake authenticated for this socket, if any. */
export function socketContext(client: { data?: unknown }): RequestContext | undefined {
  const ctx = (client.data as { ctx?: unknown } | undefined)?.ctx;
  return ctx instanceof RequestContext ? ctx : undefined;
}

/** Injects the socket's RequestContext into a message handler: `@WsCtx() ctx: RequestContext`. */
export const WsCtx = createParamDecorator((_: unknown, host: ExecutionContext): RequestContext => {
  const ctx = socketContext(host.switchToWs().getClient<{ data?: unknown }>());
  // WsAuthGuard refuses such sockets first; never hand a handler an empty context.
  if (!ctx) throw PlatformError.missing_credentials('This socket is not authenticated');
  return ctx;
});
