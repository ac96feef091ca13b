import { applyDecorators, type CanActivate, type ExecutionContext, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiForbiddenResponse } from '@nestjs/swagger';
import { contextOf, type ContextualRequest } from '../context/ctx.decorator.js';
import { ErrorBody } from '../http/error-body.js';
import { PlatformError } from '../platform.errors.js';
import { socketContext } from '../realtime/ws-ctx.decorator.js';
import { Entitlements } from './entitlements.js';

export const FEATURES_KEY = 'atrium:features';

/**
 * Runs after authentication (a controller or gateway guard runs after the global ones) and checks the package: for
 * HTTP routes and for socket message handlers alike (a socket's package is checked on every message, so a downgrade
 * applies at once).
 */
@Injectable()
export class FeatureGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly entitlements: Entitlements,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const features = this.reflector.getAllAndOverride<string[]>(FEATURES_KEY, [context.getHandler(), context.getClass()]) ?? [];
    if (!features.length) return true;
    const ctx =
      context.getType() === 'ws'
        ? socketContext(context.switchToWs().getClient<{ data?: unknown }>())
        : contextOf(context.switchToHttp().getRequest<ContextualRequest>());
    // WsAuthGuard refuses unauthenticated sockets first; never check a package without an organization.
    if (!ctx) throw PlatformError.missing_credentials('This socket is not authenticated');
    for (const feature of features) await this.entitlements.assertFeature(ctx, feature);
    return true;
  }
}

/** The organization's package (or an add-on) must include every feature listed, else 403 `feature_not_in_package`. */
export const RequiresFeature = (...features: string[]) =>
  applyDecorators(
    SetMetadata(FEATURES_KEY, features),
    UseGuards(FeatureGuard),
    ApiForbiddenResponse({
      type: ErrorBody,
      description: `Missing permission, or the package lacks: ${features.join(', ')} (code \`feature_not_in_package\`)`,
    }),
  );
