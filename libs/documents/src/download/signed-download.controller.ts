import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiForbiddenResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Ctx, ErrorBody, Public, type RequestContext } from '@atrium/platform';
import { ApiDownloadResponses } from './api-download-responses.js';
import { DocumentDownloads } from './document-downloads.js';
import { downloadRequest, sendDownload } from './send-download.js';

/** Signed download links: they carry their own authorization, so a browser can follow them without a token. */
@ApiTags('documents')
@Controller('documents')
export class SignedDownloadController {
  constructor(private readonly downloads: DocumentDownloads) {}

  @Get('download')
  @Public()
  @ApiOperation({ summary: 'Download a document by a signed link from `GET /organizations/me/documents/:id/download-url`' })
  @ApiQuery({ name: 'token', required: true, description: 'The signed token the link carries' })
  @ApiDownloadResponses()
  @ApiForbiddenResponse({ type: ErrorBody, description: 'Malformed, tampered or expired link (`invalid_download_link`)' })
  async download(@Ctx() ctx: RequestContext, @Query('token') token: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    await sendDownload(res, await this.downloads.openSigned(ctx, token, downloadRequest(req)));
  }
}
