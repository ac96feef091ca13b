import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { type AppConfig, ConfigError, emptyToUndefined, localSecret, readEnv, toBool } from '@atrium/platform';

/** The environment variables billing reads, validated when the billing module boots. */
export class BillingEnv {
  /** Enables the Stripe gateway (a `sk_test_…` or `sk_live_…` key). */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^(sk|rk)_(test|live)_[A-Za-z0-9]+$/, { message: 'STRIPE_SECRET_KEY must look like sk_test_… or sk_live_…' })
  STRIPE_SECRET_KEY?: string;

  /** The `whsec_…` secret of the Stripe webhook endpoint; required with STRIPE_SECRET_KEY in production. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  STRIPE_WEBHOOK_SECRET?: string;

  /** Where the Stripe SDK sends requests (tests: a local fake Stripe server); unset: api.stripe.com. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  STRIPE_API_URL?: string;

  /** Pay Stripe charges on a Stripe Checkout page (`url`) instead of a PaymentIntent `client_secret`. */
  @Transform(toBool)
  @IsBoolean()
  STRIPE_CHECKOUT = false;

  /** Allows `POST /webhooks/test/stripe` in production. */
  @Transform(toBool)
  @IsBoolean()
  STRIPE_TEST_EVENTS = false;

  /** Offers the built-in sandbox gateway in production (always offered outside production). */
  @Transform(toBool)
  @IsBoolean()
  SANDBOX_PAYMENTS = false;

  /** Secret the sandbox gateway signs its callbacks with; outside production a generated one is kept in DATA_DIR. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  SANDBOX_WEBHOOK_SECRET?: string;

  /** Where the sandbox gateway sends its signed callbacks; unset: `<PUBLIC_URL>/api/v1/payments/webhooks/sandbox` (tests: a capture server). */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  SANDBOX_CALLBACK_URL?: string;

  /** Days before a period ends that the "upcoming renewal" mail goes out. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(60)
  BILLING_RENEWAL_NOTICE_DAYS = 7;

  /** Days after a failed renewal charge on which it is retried, comma-separated and increasing. */
  @Matches(/^\d{1,3}(,\d{1,3})*$/, { message: 'BILLING_RETRY_DAYS must be comma-separated whole days, e.g. 1,3,5' })
  BILLING_RETRY_DAYS = '1,3,5';

  /** Days a past-due organization keeps its package before it moves to Free. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(90)
  BILLING_GRACE_DAYS = 7;

  /** How often (ms) worker processes scan for due renewals, notices and lapses; 0 turns the scheduled scan off here. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(24 * 60 * 60 * 1000)
  BILLING_RENEWAL_SCAN_MS = 60_000;

  /**
   * How long (seconds) a worker's claim on a renewal lasts: a worker that dies mid-charge leaves the renewal to the
   * next scan after this. Longer than any charge takes; the retry reuses the charge's idempotency key.
   */
  @Type(() => Number)
  @IsInt()
  @Min(5)
  @Max(24 * 60 * 60)
  BILLING_RENEWAL_CLAIM_LEASE_SECONDS = 600;

  /** The seller named on invoices. */
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  BILLING_SELLER_NAME = 'Atrium';

  /** The seller's address on invoices, lines separated by `|` (or newlines), e.g. `1 Main St|10001 New York|US`. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MaxLength(500)
  BILLING_SELLER_ADDRESS?: string;

  /** The seller's tax (VAT) number on invoices. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MaxLength(50)
  BILLING_SELLER_TAX_ID?: string;

  /**
   * A TrueType font (.ttf) invoices are written in; it must cover your customers' scripts. Unset: Liberation Sans or
   * DejaVu Sans from /usr/share/fonts (Debian: fonts-liberation, fonts-dejavu-core).
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  BILLING_INVOICE_FONT?: string;

  /** The bold face of BILLING_INVOICE_FONT; unset: the regular font serves for headings too. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  BILLING_INVOICE_FONT_BOLD?: string;
}

/**
 * Regular and bold TrueType faces tried in order when BILLING_INVOICE_FONT is unset: Liberation Sans first (it parses
 * fastest), then DejaVu Sans, where Debian/Ubuntu and Fedora install them, then Arial on macOS. All cover Latin,
 * Greek and Cyrillic.
 */
export const INVOICE_FONT_CANDIDATES: ReadonlyArray<{ regular: string; bold: string }> = [
  ...['truetype/liberation', 'truetype/liberation2', 'liberation-sans'].map((dir) => ({
    regular: `/usr/share/fonts/${dir}/LiberationSans-Regular.ttf`,
    bold: `/usr/share/fonts/${dir}/LiberationSans-Bold.ttf`,
  })),
  ...['truetype/dejavu', 'dejavu-sans-fonts'].map((dir) => ({
    regular: `/usr/share/fonts/${dir}/DejaVuSans.ttf`,
    bold: `/usr/share/fonts/${dir}/DejaVuSans-Bold.ttf`,
  })),
  { regular: '/System/Library/Fonts/Supplemental/Arial.ttf', bold: '/System/Library/Fonts/Supplemental/Arial Bold.ttf' },
  // Last: DejaVu Sans from the `dejavu-fonts-ttf` dependency, so a machine without system fonts still boots and renders.
  bundledDejaVu(),
];

function bundledDejaVu(): { regular: string; bold: string } {
  const dir = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  return { regular: join(dir, 'DejaVuSans.ttf'), bold: join(dir, 'DejaVuSans-Bold.ttf') };
}

/** What invoices say about the seller, and the font files they are written in. */
export interface InvoiceSettings {
  sellerName: string;
  sellerAddress: string[];
  sellerTaxId: string | null;
  font: { regular: string; bold: string };
}

/** Billing's resolved settings. */
export class BillingConfig {
  constructor(
    /** Null when STRIPE_SECRET_KEY is not set (the Stripe gateway is then not offered). */
    readonly stripe: { secretKey: string; apiUrl?: string; checkout: boolean } | null,
    /** Verifies Stripe callbacks: STRIPE_WEBHOOK_SECRET, or outside production a generated development secret. */
    readonly stripeWebhookSecret: string,
    readonly stripeTestEvents: boolean,
    /** Null when the sandbox gateway is not offered (production without SANDBOX_PAYMENTS=true). */
    readonly sandbox: { webhookSecret: string; callbackUrl: string } | null,
    /** `scanMs`: the renewal scan's interval in worker processes (0: off; unset: every minute); `claimLeaseMs`: a claim's lease. */
    readonly renewal: { noticeDays: number; retryDays: number[]; graceDays: number; scanMs?: number; claimLeaseMs?: number },
    /** Public base URL of the api (checkout pages, callbacks, invoice links). */
    readonly publicUrl: string,
    readonly production: boolean,
    readonly invoices: InvoiceSettings,
  ) {}

  /** A copy with some settings replaced; for tests. */
  with(patch: Partial<Omit<BillingConfig, 'with'>>): BillingConfig {
    return Object.assign(Object.create(BillingConfig.prototype) as BillingConfig, this, patch);
  }
}

/** Validates billing's environment; throws ConfigError naming every bad variable. */
export function loadBillingConfig(app: AppConfig, source: Readonly<Record<string, string | undefined>> = app.source): BillingConfig {
  const { env, problems } = readEnv(BillingEnv, source);
  const production = app.env === 'production';
  if (production && env.STRIPE_SECRET_KEY && !env.STRIPE_WEBHOOK_SECRET) {
    problems.push('STRIPE_WEBHOOK_SECRET: required in production with STRIPE_SECRET_KEY (the whsec_… of the webhook endpoint)');
  }
  if (production && env.SANDBOX_PAYMENTS && !env.SANDBOX_WEBHOOK_SECRET) {
    problems.push('SANDBOX_WEBHOOK_SECRET: required in production with SANDBOX_PAYMENTS=true');
  }
  const retryDays = env.BILLING_RETRY_DAYS.split(',').map(Number);
  if (retryDays.some((d, i) => d < 1 || (i > 0 && d <= retryDays[i - 1]))) {
    problems.push('BILLING_RETRY_DAYS: days must be at least 1 and increasing');
  }
  const invoiceFont = resolveInvoiceFont(env, problems);
  if (problems.length) throw new ConfigError(problems);

  const devSecret = (name: string) => localSecret(app.dataDir, name);
  return new BillingConfig(
    env.STRIPE_SECRET_KEY ? { secretKey: env.STRIPE_SECRET_KEY, apiUrl: env.STRIPE_API_URL, checkout: env.STRIPE_CHECKOUT } : null,
    env.STRIPE_WEBHOOK_SECRET ?? (production ? '' : devSecret('stripe_webhook_secret')),
    env.STRIPE_TEST_EVENTS,
    !production || env.SANDBOX_PAYMENTS
      ? {
          webhookSecret: env.SANDBOX_WEBHOOK_SECRET ?? devSecret('sandbox_webhook_secret'),
          callbackUrl: env.SANDBOX_CALLBACK_URL ?? `${app.http.publicUrl}/api/v1/payments/webhooks/sandbox`,
        }
      : null,
    {
      noticeDays: env.BILLING_RENEWAL_NOTICE_DAYS,
      retryDays,
      graceDays: env.BILLING_GRACE_DAYS,
      scanMs: env.BILLING_RENEWAL_SCAN_MS,
      claimLeaseMs: env.BILLING_RENEWAL_CLAIM_LEASE_SECONDS * 1000,
    },
    app.http.publicUrl,
    production,
    {
      sellerName: env.BILLING_SELLER_NAME,
      sellerAddress: (env.BILLING_SELLER_ADDRESS ?? '')
        .split(/\||\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean),
      sellerTaxId: env.BILLING_SELLER_TAX_ID ?? null,
      font: invoiceFont,
    },
  );
}

/** The invoice font files: the configured ones when they exist, else the first installed candidate. */
function resolveInvoiceFont(env: BillingEnv, problems: string[]): { regular: string; bold: string } {
  if (env.BILLING_INVOICE_FONT) {
    const font = { regular: env.BILLING_INVOICE_FONT, bold: env.BILLING_INVOICE_FONT_BOLD ?? env.BILLING_INVOICE_FONT };
    if (!existsSync(font.regular)) problems.push(`BILLING_INVOICE_FONT: no file at ${font.regular}`);
    if (!existsSync(font.bold)) problems.push(`BILLING_INVOICE_FONT_BOLD: no file at ${font.bold}`);
    return font;
  }
  const found = INVOICE_FONT_CANDIDATES.find((c) => existsSync(c.regular) && existsSync(c.bold));
  if (found) return found;
  problems.push('BILLING_INVOICE_FONT: no TrueType font for invoices was found (reinstall dependencies, or set it to a .ttf file)');
  return { regular: '', bold: '' };
}
