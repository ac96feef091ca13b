import { Injectable } from '@nestjs/common';
import { AppConfig, deriveKey, SecretBox } from '@atrium/platform';
import { SigningSecret } from '../signatures/signature-scheme.js';

/** Opened secrets kept per process, by sealed value (a rotation seals a new value, so nothing goes stale). */
const CACHE_SIZE = 10_000;

/**
 * Webhook signing secrets at rest: sealed with a key derived from ENCRYPTION_KEY for this use only, bound to the
 * provider id (a sealed value copied onto another provider does not open).
 */
@Injectable()
export class ProviderSecrets {
  private readonly box: SecretBox;
  private readonly opened = new Map<string, SigningSecret>();

  constructor(config: AppConfig) {
    this.box = new SecretBox(deriveKey(config.encryptionKey, 'webhook-secret'));
  }

  seal(secret: string, providerId: string): string {
    return this.box.seal(secret, `webhook_provider:${providerId}`);
  }

  /** The secret in clear (cached: the receiving path opens the same few secrets all day). */
  open(sealed: string, providerId: string): SigningSecret {
    const key = `${providerId}|${sealed}`;
    let secret = this.opened.get(key);
    if (!secret) {
      secret = new SigningSecret(this.box.open(sealed, `webhook_provider:${providerId}`));
      if (this.opened.size >= CACHE_SIZE) this.opened.delete(this.opened.keys().next().value!);
      this.opened.set(key, secret);
    }
    return secret;
  }
}
