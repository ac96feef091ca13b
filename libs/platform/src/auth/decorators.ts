import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiForbiddenResponse, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorBody } from '../http/error-body.js';

export const PUBLIC_KEY = 'atrium:public';
export const PERMISSIONS_KEY = 'atrium:permissions';
export const ALLOW_RESTRICTED_KEY = 'atrium:allow-restricted';

/**
 * No credentials needed; if valid ones are sent the handler still sees who is calling. Swagger shows the
 * route with `security: [{}]`, OpenAPI's "no credentials required" (Nest's explorer drops an empty list);
 * every other operation requires a bearer token or an API key (declared once, see setupSwagger).
 */
export const Public = () => applyDecorators(SetMetadata(PUBLIC_KEY, true), ApiSecurity({}));

/** The caller's role (or API key) must grant every permission listed. */
export const Permissions = (...permissions: string[]) =>
  applyDecorators(
    SetMetadata(PERMISSIONS_KEY, permissions),
    ApiForbiddenResponse({ type: ErrorBody, description: `Requires: ${permissions.join(', ')}` }),
  );

/** Swagger: the route needs a bearer token or an API key. */
export const Authenticated = () =>
  applyDecorators(ApiUnauthorizedResponse({ type: ErrorBody, description: 'Missing, invalid or expired credentials' }));

/**
 * Reachable by a caller with an unmet access restriction (e.g. an organization that requires two-factor
 * authentication they have not turned on): what they need to meet it, see their account, and leave.
 * Every other route answers the restriction's error (see AccessRestrictionRegistry).
 */
export const AllowRestricted = () => SetMetadata(ALLOW_RESTRICTED_KEY, true);
