import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiForbiddenResponse, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorBody } from '../http/error-body.js';

export const PUBLIC_KEY = 'atrium:public';
export const PERMISSIONS_KEY = 'atrium:permissions';
export const ALLOW_WITHOUT_MFA_KEY = 'atrium:allow-without-mfa';

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
 * Reachable by a member of an organization that requires two-factor authentication before they have
 * turned it on: what they need to turn it on, see their account and leave (everything else answers
 * 403 `mfa_enrollment_required`).
 */
export const AllowWithoutMfa = () => SetMetadata(ALLOW_WITHOUT_MFA_KEY, true);
