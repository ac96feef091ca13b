import type { MigrationInterface, QueryRunner } from 'typeorm';

const GIB = 1024 ** 3;

/** [key, name, description, kind, unit, add-on unit, add-on monthly price in cents (null: not sold alone)] */
const FEATURES: Array<[string, string, string, 'flag' | 'limit', string | null, number | null, number | null]> = [
  ['custom_slug', 'Custom slug', 'Choose the address slug of your organization', 'flag', null, null, 500],
  ['members', 'Members', 'How many people can belong to the organization (pending invitations hold a seat)', 'limit', 'members', 10, 1000],
  ['storage_bytes', 'Storage', 'Space for documents and attachments', 'limit', 'bytes', 10 * GIB, 500],
  ['api_keys', 'API keys', 'Keys for external systems calling the API', 'limit', 'keys', 5, 500],
  ['webhook_providers', 'Webhook providers', 'Services allowed to send signed webhooks', 'limit', 'providers', 5, 500],
  ['calls', 'Audio and video calls', 'Start calls from chats', 'flag', null, null, 900],
  ['audit_export', 'Audit export', 'Export the audit trail', 'flag', null, null, 1500],
  ['priority_support', 'Priority support', 'Answers within four business hours', 'flag', null, null, null],
];

/** [slug, name, description, default?, prices per period in cents, features (limit value; null = unlimited or a flag)] */
const PACKAGES: Array<[string, string, string, boolean, [number, number, number, number], Record<string, number | null>]> = [
  [
    'free',
    'Free',
    'For small teams getting started',
    true,
    [0, 0, 0, 0],
    { members: 5, storage_bytes: GIB, api_keys: 2, webhook_providers: 1 },
  ],
  [
    'basic',
    'Basic',
    'Your own slug, calls and room to grow',
    false,
    [1900, 5400, 10200, 19000],
    { custom_slug: null, members: 25, storage_bytes: 10 * GIB, api_keys: 5, webhook_providers: 3, calls: null },
  ],
  [
    'platinum',
    'Platinum',
    'For growing organizations that need the audit export',
    false,
    [4900, 13900, 26400, 49000],
    { custom_slug: null, members: 100, storage_bytes: 100 * GIB, api_keys: 25, webhook_providers: 10, calls: null, audit_export: null },
  ],
  [
    'diamond',
    'Diamond',
    'Unlimited members, keys and providers, with priority support',
    false,
    [14900, 42400, 80400, 149000],
    {
      custom_slug: null,
      members: null,
      storage_bytes: 1024 * GIB,
      api_keys: null,
      webhook_providers: null,
      calls: null,
      audit_export: null,
      priority_support: null,
    },
  ],
];

const PERIODS: Array<[string, number]> = [
  ['1_month', 1],
  ['3_months', 3],
  ['6_months', 6],
  ['1_year', 12],
];

/** The package catalogue (features, packages, prices), each organization's subscription (Free to start) and add-ons. */
export class PackageCatalogue1764000200000 implements MigrationInterface {
  name = 'PackageCatalogue1764000200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE features (
        id serial PRIMARY KEY,
        key text NOT NULL,
        name text NOT NULL,
        description text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('flag', 'limit')),
        unit text,
        addon_unit bigint,
        addon_monthly_cents integer CHECK (addon_monthly_cents >= 0),
        sort_order integer NOT NULL DEFAULT 0
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_features_key ON features (key)`);

    await q.query(`
      CREATE TABLE packages (
        id serial PRIMARY KEY,
        slug text NOT NULL,
        name text NOT NULL,
        description text NOT NULL,
        is_default boolean NOT NULL DEFAULT false,
        active boolean NOT NULL DEFAULT true,
        currency text NOT NULL DEFAULT 'USD',
        sort_order integer NOT NULL DEFAULT 0
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_packages_slug ON packages (slug)`);
    await q.query(`CREATE UNIQUE INDEX uq_packages_default ON packages (is_default) WHERE is_default`);

    await q.query(`
      CREATE TABLE package_prices (
        package_id integer NOT NULL REFERENCES packages (id) ON DELETE CASCADE,
        period text NOT NULL,
        months integer NOT NULL CHECK (months > 0),
        amount_cents integer NOT NULL CHECK (amount_cents >= 0),
        PRIMARY KEY (package_id, period)
      )`);

    await q.query(`
      CREATE TABLE package_features (
        package_id integer NOT NULL REFERENCES packages (id) ON DELETE CASCADE,
        feature_id integer NOT NULL REFERENCES features (id) ON DELETE CASCADE,
        limit_value bigint CHECK (limit_value >= 0),
        PRIMARY KEY (package_id, feature_id)
      )`);

    await q.query(`
      CREATE TABLE organization_subscriptions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        package_id integer NOT NULL REFERENCES packages (id),
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'past_due', 'cancelled')),
        period text,
        started_at timestamptz NOT NULL DEFAULT now(),
        current_period_end timestamptz,
        auto_renew boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_organization_subscriptions_org ON organization_subscriptions (organization_id)`);

    await q.query(`
      CREATE TABLE organization_features (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        feature_id integer NOT NULL REFERENCES features (id),
        quantity integer NOT NULL DEFAULT 1 CHECK (quantity > 0),
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
        expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ix_organization_features_organization_id ON organization_features (organization_id)`);

    for (const [i, [key, name, description, kind, unit, addonUnit, addonCents]] of FEATURES.entries()) {
      await q.query(
        `INSERT INTO features (key, name, description, kind, unit, addon_unit, addon_monthly_cents, sort_order) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [key, name, description, kind, unit, addonUnit, addonCents, i + 1],
      );
    }
    for (const [i, [slug, name, description, isDefault, prices, features]] of PACKAGES.entries()) {
      const [{ id }] = (await q.query(
        `INSERT INTO packages (slug, name, description, is_default, sort_order) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [slug, name, description, isDefault, i + 1],
      )) as Array<{ id: number }>;
      for (const [j, [period, months]] of PERIODS.entries()) {
        await q.query(`INSERT INTO package_prices (package_id, period, months, amount_cents) VALUES ($1, $2, $3, $4)`, [
          id,
          period,
          months,
          prices[j],
        ]);
      }
      for (const [key, limit] of Object.entries(features)) {
        await q.query(`INSERT INTO package_features (package_id, feature_id, limit_value) SELECT $1, id, $3 FROM features WHERE key = $2`, [
          id,
          key,
          limit,
        ]);
      }
    }
    // Organizations created before this migration start on the default (Free) package too.
    await q.query(`
      INSERT INTO organization_subscriptions (organization_id, package_id, started_at)
      SELECT o.id, p.id, o.created_at FROM organizations o CROSS JOIN packages p WHERE p.is_default`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['organization_features', 'organization_subscriptions', 'package_features', 'package_prices', 'packages', 'features']) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
