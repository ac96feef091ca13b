import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { CONTEXT_KEY, type ContextualRequest } from '../context/ctx.decorator.js';
import { RequestContext } from '../context/request-context.js';
import { enterTenant } from '../database/tenant-scope.js';
import { DomainError } from '../http/domain-error.js';
import { PlatformError } from '../platform.errors.js';
import { RouteMemo } from '../http/route-memo.js';
import { WsAuthGuard } from '../realtime/ws-auth.guard.js';
import { Authenticator, type Credentials } from './authenticator.js';
import { AccessRestrictionRegistry } from '../contributions/access-restrictions.registry.js';
import { ALLOW_RESTRICTED_KEY, PERMISSIONS_KEY, PUBLIC_KEY } from './decorators.js';

function header(req: ContextualRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

const BEARER = /^Bearer\s+(\S+)$/i;

export function credentialsOf(req: ContextualRequest): Credentials {
  const authz = header(req, 'authorization');
  const bearer = authz ? BEARER.exec(authz)?.[1] : undefined;
  return {
    bearer,
    apiKey: header(req, 'x-api-key'),
    organizationId: header(req, 'x-organization-id'),
    requestId: req.requestId ?? '',
    ip: req.ip,
    userAgent: header(req, 'user-agent'),
  };
}

interface RouteAuth {
  isPublic: boolean;
  required: string[];
  allowRestricted: boolean;
}

/**
 * Global guard: authenticates every non-public route, then checks `@Permissions`. Socket message handlers
 * go through WsAuthGuard; any other kind of handler is refused, so nothing added later runs unauthenticated.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly routes: RouteMemo<RouteAuth>;
  private readonly sockets: WsAuthGuard;

  constructor(
    reflector: Reflector,
    private readonly authenticator: Authenticator,
    private readonly restrictions: AccessRestrictionRegistry,
  ) {
    this.sockets = new WsAuthGuard(reflector);
    this.routes = new RouteMemo((targets) => ({
      isPublic: Boolean(reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)),
      required: reflector.getAllAndOverride<string[]>(PERMISSIONS_KEY, targets) ?? [],
      allowRestricted: Boolean(reflector.getAllAndOverride<boolean>(ALLOW_RESTRICTED_KEY, targets)),
    }));
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const type = context.getType();
    if (type === 'ws') return this.sockets.canActivate(context);
    if (type !== 'http') return false;
    const req = context.switchToHttp().getRequest<ContextualRequest>();
    const { isPublic, required, allowRestricted } = this.routes.of(context);
    const creds = credentialsOf(req);
    const presented = Boolean(creds.bearer || creds.apiKey);

    if (isPublic) {
      req[CONTEXT_KEY] = presented
        ? await this.authenticator.authenticate(creds).catch((e: unknown) => {
            if (e instanceof DomainError) return RequestContext.anonymous(creds.requestId, creds.ip, creds.userAgent);
            throw e;
          })
        : RequestContext.anonymous(creds.requestId, creds.ip, creds.userAgent);
      enterTenant(req[CONTEXT_KEY].organizationId);
      return true;
    }
    if (!presented) throw PlatformError.missing_credentials();
    const ctx = await this.authenticator.authenticate(creds);
    req[CONTEXT_KEY] = ctx;
    // The rest of the request reads and writes this organization's rows only (row-level security).
    enterTenant(ctx.organizationId);
    const unmet = ctx.meta.restrictions?.[0];
    if (unmet && !allowRestricted) throw this.restrictions.errorFor(unmet);

    const missing = required.filter((p) => !ctx.can(p));
    if (missing.length) {
      throw PlatformError.missing_permission(`This action requires the permission(s): ${missing.join(', ')}`);
    }
    return true;
  }
}
