import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { RequestContext } from './request-context.js';

export const CONTEXT_KEY = 'atriumContext';

export type ContextualRequest = Request & { [CONTEXT_KEY]?: RequestContext; requestId?: string };

/** The request's context, as built by the auth guard (anonymous on public routes). */
export function contextOf(req: ContextualRequest): RequestContext {
  return req[CONTEXT_KEY] ?? RequestContext.anonymous(req.requestId ?? '', req.ip, req.headers['user-agent']);
}

/** Injects the RequestContext into a handler: `@Ctx() ctx: RequestContext`. */
export const Ctx = createParamDecorator((_: unknown, host: ExecutionContext) =>
  contextOf(host.switchToHttp().getRequest<ContextualRequest>()),
);
