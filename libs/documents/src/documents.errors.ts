import { defineErrors } from '@atrium/platform';

/** Documents: one meaning per code. */
export const DocumentsError = defineErrors('documents', {
  // Another organization's document (or a malformed id) answers like a missing one.
  document_not_found: { kind: 'not_found', message: 'Document not found' },
  file_too_large: { kind: 'payload_too_large', message: "The file is larger than your package's per-file limit" },
  unsupported_file_type: {
    kind: 'unsupported_media_type',
    message: 'This kind of file is not accepted (PDF, PNG, JPEG, GIF, WebP, DOCX, XLSX, PPTX, ZIP, or UTF-8 text, CSV and Markdown)',
  },
  multipart_required: { kind: 'unsupported_media_type', message: 'Send the document as multipart/form-data' },
  malformed_multipart: { kind: 'bad_request', message: 'The multipart body could not be read to its end' },
  storage_full: { kind: 'unavailable', message: 'There is no room to store the document right now; nothing was saved, try again later' },
  upload_expired: { kind: 'conflict', message: 'The upload took too long and was discarded; send it again' },
  range_not_satisfiable: { kind: 'range_not_satisfiable', message: 'The requested range is outside the document' },
  invalid_download_link: { kind: 'forbidden', message: 'This download link is invalid or has expired' },
});
