/** A document was uploaded (after commit, through the outbox). */
export const DOCUMENT_UPLOADED = 'document.uploaded';

/** Metadata only: never the storage key, a download link or the content. */
export interface DocumentUploadedPayload {
  document_id: string;
  title: string;
  filename: string;
  content_type: string;
  size: number;
  uploaded_by: string | null;
}

/** The package limit of the largest single file (the total is the `storage_bytes` meter's, registered here). */
export const MAX_FILE_BYTES = 'max_file_bytes';
