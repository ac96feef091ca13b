import { generateSecret, generateURI, verify } from 'otplib';

/** RFC 6238 defaults every authenticator app uses: SHA-1, 6 digits, 30-second steps. */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_ISSUER = 'Atrium';

export type TotpCheck = { ok: true; timeStep: number } | { ok: false; replay: boolean };

export const isTotpCode = (code: string): boolean => /^\d{6}$/.test(code);

export function newTotpSecret(): string {
  return generateSecret();
}

export function totpUri(secret: string, accountEmail: string): string {
  return generateURI({ issuer: TOTP_ISSUER, label: accountEmail, secret });
}

/**
 * Accepts the code of the current time step or one step either side (clock drift), and refuses any
 * step at or before `lastTimeStep`, the last one accepted, so an observed code cannot be replayed.
 * `epoch` (seconds) is for tests.
 */
export async function checkTotp(input: { secret: string; code: string; lastTimeStep: number | null; epoch?: number }): Promise<TotpCheck> {
  if (!isTotpCode(input.code)) return { ok: false, replay: false };
  const base = { secret: input.secret, token: input.code, epochTolerance: TOTP_PERIOD_SECONDS, epoch: input.epoch };
  // The last accepted step can lie past this process's window (another process's clock runs ahead, or this clock was
  // set back): no code of the window is newer then. otplib throws on such an `afterTimeStep`, so answer it here.
  const newest = Math.floor(((input.epoch ?? Date.now() / 1000) + TOTP_PERIOD_SECONDS) / TOTP_PERIOD_SECONDS);
  if (input.lastTimeStep !== null && input.lastTimeStep >= newest) return { ok: false, replay: (await verify(base)).valid };
  const result = await verify(input.lastTimeStep === null ? base : { ...base, afterTimeStep: input.lastTimeStep });
  if (result.valid && 'timeStep' in result) return { ok: true, timeStep: result.timeStep };
  if (input.lastTimeStep === null) return { ok: false, replay: false };
  const again = await verify(base);
  return { ok: false, replay: again.valid };
}
