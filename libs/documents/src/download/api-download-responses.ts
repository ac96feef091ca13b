import { applyDecorators } from '@nestjs/common';
import { ApiNotFoundResponse, ApiProduces, ApiResponse } from '@nestjs/swagger';
import { ErrorBody } from '@atrium/platform';

export const NOT_FOUND = 'No such document in this organization (`document_not_found`)';

/** Swagger: a document download's answers, for the credentialed route and the signed link's alike. */
export const ApiDownloadResponses = () =>
  applyDecorators(
    ApiProduces('application/octet-stream'),
    ApiResponse({
      status: 200,
      description: 'The file, as an attachment of its detected type (`Content-Disposition`, `ETag` = "<checksum>", `Accept-Ranges: bytes`)',
      content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
    }),
    ApiResponse({ status: 206, description: 'The requested `Range` (`Content-Range: bytes start-end/size`)' }),
    ApiResponse({ status: 304, description: '`If-None-Match` names the current ETag' }),
    ApiResponse({
      status: 416,
      type: ErrorBody,
      description: 'The range starts past the end (`range_not_satisfiable`; `Content-Range: bytes */size`)',
    }),
    ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND }),
  );
