import type { MigrationInterface, QueryRunner } from 'typeorm';

const MIB = 1024 ** 2;

/** The largest single document each package accepts (bytes); the total is the package's `storage_bytes`. */
const MAX_FILE_BYTES: Record<string, number> = { free: 25 * MIB, basic: 100 * MIB, platinum: 1024 * MIB, diamond: 5 * 1024 * MIB };

/**
 * Documents: metadata rows (the bytes live in blob storage under `storage_key`); pending blobs (a key committed before
 * its blob is stored and removed in the document's insert, or added in a document's delete until its blob is gone: so
 * a blob no committed row backs is always listed, and swept); and the per-file size limit in the package catalogue.
 */
export class Documents1764001000100 implements MigrationInterface {
  name = 'Documents1764001000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE documents (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        uploaded_by uuid REFERENCES users (id) ON DELETE SET NULL,
        title text NOT NULL,
        description text,
        filename text NOT NULL,
        content_type text NOT NULL,
        size bigint NOT NULL CHECK (size > 0),
        checksum text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
        storage_key text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_documents_storage_key ON documents (storage_key)`);
    await q.query(`CREATE INDEX ix_documents_organization_id ON documents (organization_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX ix_documents_uploaded_by ON documents (uploaded_by)`);

    await q.query(`
      CREATE TABLE document_pending_blobs (
        storage_key text PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ix_document_pending_blobs_created_at ON document_pending_blobs (created_at)`);

    await q.query(`
      INSERT INTO features (key, name, description, kind, unit, addon_unit, addon_monthly_cents, sort_order)
      SELECT 'max_file_bytes', 'Largest file', 'The largest single document you can upload', 'limit', 'bytes', NULL, NULL,
             coalesce(max(sort_order), 0) + 1 FROM features`);
    for (const [slug, bytes] of Object.entries(MAX_FILE_BYTES)) {
      await q.query(
        `INSERT INTO package_features (package_id, feature_id, limit_value)
         SELECT p.id, f.id, $2 FROM packages p, features f WHERE p.slug = $1 AND f.key = 'max_file_bytes'`,
        [slug, bytes],
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM features WHERE key = 'max_file_bytes'`);
    await q.query(`DROP TABLE IF EXISTS document_pending_blobs`);
    await q.query(`DROP TABLE IF EXISTS documents`);
  }
}
