import { Injectable } from '@nestjs/common';
import { AppConfig, deriveKey, SecretBox } from '@atrium/platform';
import { hashBackupCode } from './backup-codes.js';

/** The MFA keys, derived once from ENCRYPTION_KEY: one seals TOTP secrets, one hashes backup codes. */
@Injectable()
export class MfaKeys {
  private readonly box: SecretBox;
  private readonly backupKey: Buffer;

  constructor(config: AppConfig) {
    this.box = new SecretBox(deriveKey(config.encryptionKey, 'totp-secret'));
    this.backupKey = deriveKey(config.encryptionKey, 'mfa-backup-code');
  }

  sealSecret(secret: string, userId: string): string {
    return this.box.seal(secret, `user_mfa:${userId}`);
  }

  openSecret(sealed: string, userId: string): string {
    return this.box.open(sealed, `user_mfa:${userId}`);
  }

  hashBackupCode(normalized: string): string {
    return hashBackupCode(this.backupKey, normalized);
  }
}
