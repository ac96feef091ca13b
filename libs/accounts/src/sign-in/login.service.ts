import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { notFound, type RequestContext, withTenant } from '@atrium/platform';
import { UserMemberships, type MembershipView } from '@atrium/organizations';
import { MfaVerifier } from '@atrium/access';
import { PasswordService } from '../passwords/password.service.js';
import { User } from '../users/user.entity.js';
import type { LoginDto, LoginResponseDto, MfaRequiredDto, VerifyMfaDto } from './dto/login.dto.js';
import { loginResponse } from './login-response.js';
import { describeDevice, SessionIssuer } from '@atrium/access';
import { AccessError } from '@atrium/access';
import { AccountsError } from '../accounts.errors.js';

/** The same answer for an unknown email and a wrong password. */
export const invalidCredentials = () => AccountsError.invalid_credentials();

/** Password sign-in: checks credentials (and the second factor when on), picks the organization, opens a session. */
@Injectable()
export class LoginService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly passwords: PasswordService,
    private readonly memberships: UserMemberships,
    private readonly issuer: SessionIssuer,
    private readonly mfa: MfaVerifier,
    private readonly audit: AuditWriter,
  ) {}

  /** The user whose password matches, else the generic 401 (after equal work either way). */
  async checkPassword(email: string, password: string): Promise<User> {
    const user = await this.dataSource
      .getRepository(User)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :email', { email })
      .getOne();
    const ok = await this.passwords.verify(user?.passwordHash, password);
    if (!user || !ok) throw invalidCredentials();
    if (user.status !== 'active') throw AccessError.account_suspended();
    return user;
  }

  /** With MFA on, a right password alone opens nothing: the answer asks for the code (`/auth/verify-mfa`). */
  async login(ctx: RequestContext, dto: LoginDto): Promise<LoginResponseDto | MfaRequiredDto> {
    const user = await this.checkPassword(dto.email, dto.password);
    if (await this.mfa.isEnabled(user.id)) return { mfa_required: true };
    return this.signIn(ctx, user, dto.organization_id);
  }

  /** Password and a TOTP or backup code; wrong codes count towards the factor's lock (429). */
  async loginWithMfa(ctx: RequestContext, dto: VerifyMfaDto): Promise<LoginResponseDto> {
    const user = await this.checkPassword(dto.email, dto.password);
    // Any other answer would confirm the password, and that the account has no second factor.
    if (!(await this.mfa.isEnabled(user.id))) throw invalidCredentials();
    await this.mfa.attempt(user.id, dto.mfa_code, { kind: 'unauthorized', allowBackup: true, requireEnabled: true }, async () => undefined);
    return this.signIn(ctx, user, dto.organization_id);
  }

  /**
   * Opens a session (audited as `session.created`) for an authenticated user in the organization asked for, else the
   * last used; a device or address the account has not signed in from before is announced (`session.new_sign_in`).
   */
  async signIn(ctx: RequestContext, user: User, requestedOrganizationId?: string): Promise<LoginResponseDto> {
    const view = await this.chooseMembership(user.id, requestedOrganizationId);
    const organizationId = view.organization.id;
    // Row-level security: the session, its audit entry and the membership's use belong to the organization chosen.
    return withTenant(organizationId, () => this.openSession(ctx, user, view));
  }

  private async openSession(ctx: RequestContext, user: User, view: MembershipView): Promise<LoginResponseDto> {
    const organizationId = view.organization.id;
    const tokens = await this.dataSource.transaction(async (em) => {
      const start = { userId: user.id, organizationId, ip: ctx.meta.ip, userAgent: ctx.meta.userAgent };
      const opened = await this.issuer.signIn(start, em, ctx.requestId);
      await this.audit.record(em, ctx.withOrganization(organizationId, []), {
        action: 'session.created',
        resourceType: 'session',
        resourceId: opened.sessionId,
        target: describeDevice(ctx.meta.userAgent ?? null),
        actorUserId: user.id,
      });
      return opened;
    });
    await this.memberships.markUsed(view.membership.id);
    return loginResponse({ access_token: tokens.access_token, refresh_token: tokens.refresh_token }, user, view);
  }

  private async chooseMembership(userId: string, organizationId?: string): Promise<MembershipView> {
    const all = await this.memberships.activeFor(userId);
    if (!all.length) throw AccountsError.no_active_membership();
    if (!organizationId) return all[0];
    const chosen = all.find((v) => v.organization.id === organizationId);
    if (!chosen) throw notFound('Organization');
    return chosen;
  }
}
