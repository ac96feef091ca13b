import { Injectable } from '@nestjs/common';
import QRCode from 'qrcode';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { notFound, Outbox, type RequestContext, Rooms } from '@atrium/platform';
import { profileFromJson } from '../credentials/account-profile.js';
import { BACKUP_CODE_COUNT, newBackupCodes, normalizeBackupCode } from './backup-codes.js';
import { MfaBackupCode } from './mfa-backup-code.entity.js';
import { MfaKeys } from './mfa-keys.js';
import { MfaVerifier } from './mfa-verifier.js';
import { newTotpSecret, totpUri } from './totp.js';
import { UserMfa } from './user-mfa.entity.js';
import { AccessError } from '../access.errors.js';

export interface MfaStatus {
  enabled: boolean;
  pendingSetup: boolean;
  enabledAt: Date | null;
  backupCodesRemaining: number;
}

/** The signed-in user's own TOTP factor: set up, confirm, backup codes, disable. */
@Injectable()
export class MfaService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: MfaKeys,
    private readonly verifier: MfaVerifier,
    private readonly audit: AuditWriter,
    private readonly outbox: Outbox,
  ) {}

  async status(ctx: RequestContext): Promise<MfaStatus> {
    const userId = ctx.requireUserId();
    const mfa = await this.dataSource.getRepository(UserMfa).findOne({ where: { userId } });
    return {
      enabled: Boolean(mfa?.enabledAt),
      pendingSetup: Boolean(mfa && !mfa.enabledAt),
      enabledAt: mfa?.enabledAt ?? null,
      backupCodesRemaining: mfa?.enabledAt ? await this.remainingCodes(userId) : 0,
    };
  }

  /** A new secret (pending until confirmed); starting again replaces an unconfirmed one. */
  async initialize(ctx: RequestContext): Promise<{ secret: string; otpauthUrl: string; qrCode: string }> {
    const userId = ctx.requireUserId();
    // The account's address (the authenticator app's label) came with the credential check.
    const read = ctx.meta.read;
    if (!read) throw notFound('User');
    const user = profileFromJson(read.profileJson);
    const secret = newTotpSecret();
    await this.dataSource.transaction(async (em) => {
      const repo = em.getRepository(UserMfa);
      if ((await repo.findOne({ where: { userId } }))?.enabledAt) {
        throw AccessError.mfa_already_enabled('Two-factor authentication is already on; disable it first to set it up again');
      }
      await repo.upsert(
        {
          userId,
          secretEncrypted: this.keys.sealSecret(secret, userId),
          enabledAt: null,
          lastTimeStep: null,
          failedAttempts: 0,
          lockedUntil: null,
        },
        ['userId'],
      );
      // Nothing takes effect until a code confirms it (`mfa.enabled`), but a new secret is on file from now on.
      await this.audit.record(em, ctx, { action: 'mfa.setup_started', resourceType: 'user', resourceId: userId, target: user.email });
    });
    const otpauthUrl = totpUri(secret, user.email);
    return { secret, otpauthUrl, qrCode: await QRCode.toDataURL(otpauthUrl, { errorCorrectionLevel: 'M', margin: 1 }) };
  }

  /** The first good code turns MFA on and returns the backup codes, the only time they are shown. */
  async confirmSetup(ctx: RequestContext, code: string): Promise<string[]> {
    const userId = ctx.requireUserId();
    const mfa = await this.dataSource.getRepository(UserMfa).findOne({ where: { userId } });
    if (!mfa) throw AccessError.mfa_setup_not_started();
    if (mfa.enabledAt) throw AccessError.mfa_already_enabled();
    return this.verifier.attempt(userId, code, { kind: 'bad_request', allowBackup: false, requireEnabled: false }, async (em) => {
      await em.getRepository(UserMfa).update({ userId }, { enabledAt: new Date() });
      await this.audit.record(em, ctx, {
        action: 'mfa.enabled',
        resourceType: 'user',
        resourceId: userId,
        target: ctx.accountEmail ?? null,
      });
      return this.replaceCodes(em, userId);
    });
  }

  async backupCodesRemaining(ctx: RequestContext): Promise<number> {
    const userId = ctx.requireUserId();
    await this.requireEnabled(userId);
    return this.remainingCodes(userId);
  }

  /** Needs a current code; every earlier backup code stops working. */
  async regenerateBackupCodes(ctx: RequestContext, code: string): Promise<string[]> {
    const userId = ctx.requireUserId();
    return this.verifier.attempt(userId, code, { kind: 'bad_request', allowBackup: true, requireEnabled: true }, async (em) => {
      await this.audit.record(em, ctx, {
        action: 'mfa.backup_codes_regenerated',
        resourceType: 'user',
        resourceId: userId,
        target: ctx.accountEmail ?? null,
      });
      return this.replaceCodes(em, userId);
    });
  }

  /** Needs a current TOTP or backup code. */
  async disable(ctx: RequestContext, code: string): Promise<void> {
    const userId = ctx.requireUserId();
    await this.verifier.attempt(userId, code, { kind: 'bad_request', allowBackup: true, requireEnabled: true }, async (em) => {
      await em.getRepository(MfaBackupCode).delete({ userId });
      await em.getRepository(UserMfa).delete({ userId });
      await this.audit.record(em, ctx, {
        action: 'mfa.disabled',
        resourceType: 'user',
        resourceId: userId,
        target: ctx.accountEmail ?? null,
      });
      // Sockets were admitted with MFA on; the event's delivery drops them so an organization that requires it can refuse them.
      this.outbox.add(em, {
        name: 'mfa.disabled',
        actorId: userId,
        payload: { user_id: userId },
        rooms: [Rooms.user(userId)],
        requestId: ctx.requestId,
      });
    });
  }

  private async requireEnabled(userId: string): Promise<void> {
    if (!(await this.verifier.isEnabled(userId))) throw AccessError.mfa_not_enabled();
  }

  private remainingCodes(userId: string): Promise<number> {
    return this.dataSource.getRepository(MfaBackupCode).count({ where: { userId, usedAt: IsNull() } });
  }

  private async replaceCodes(em: EntityManager, userId: string): Promise<string[]> {
    const codes = newBackupCodes(BACKUP_CODE_COUNT);
    await em.getRepository(MfaBackupCode).delete({ userId });
    await em
      .getRepository(MfaBackupCode)
      .insert(codes.map((c) => ({ userId, codeHash: this.keys.hashBackupCode(normalizeBackupCode(c)!) })));
    return codes;
  }
}
