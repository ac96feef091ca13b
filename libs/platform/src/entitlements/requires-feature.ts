import { applyDecorators, type CanActivate, type ExecutionContext, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiForbiddenResponse } from '@nestjs/swagger';
import { contextOf, type ContextualRequest } from '../context/ctx.decorator.js';
import { ErrorBody } from '../http/error-body.js';
import { Entitlements } from './entitlements.js';

export const FEATURES_KEY = 'atrium:features';

/** Runs after authentication (a controller guard runs after the global ones) and checks the package. */
@Injectable()
export class FeatureGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly entitlements: Entitlements,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const features = this.reflector.getAllAndOverride<string[]>(FEATURES_KEY, [context.getHandler(), context.getClass()]) ?? [];
    const ctx = contextOf(context.switchToHttp().getRequest<ContextualRequest>());
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
