import { Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiData, ApiInvalid, ApiPage, Authenticated, Ctx, ErrorBody, type Page, Permissions, type RequestContext } from '@atrium/platform';
import { DocumentService } from './document.service.js';
import { ApiDownloadResponses, NOT_FOUND } from './download/api-download-responses.js';
import { DocumentDownloads } from './download/document-downloads.js';
import { downloadRequest, sendDownload } from './download/send-download.js';
import { DocumentDto, DocumentQueryDto, DownloadUrlDto, UploadDocumentBody } from './dto/document.dto.js';
import { DocumentUploadService } from './upload/document-upload.service.js';

/** The organization's documents: streamed uploads checked by content, lists, downloads (also by signed link), deletes. */
@ApiTags('documents')
@Authenticated()
@Controller('organizations/me/documents')
export class DocumentsController {
  constructor(
    private readonly uploads: DocumentUploadService,
    private readonly documents: DocumentService,
    private readonly downloads: DocumentDownloads,
  ) {}

  @Post()
  @Permissions('documents.manage')
  @ApiOperation({
    summary: 'Upload a document (multipart: `file`, `title`, `description`), streamed to storage',
    description:
      'Accepted by content, not by name: PDF, PNG, JPEG, GIF, WebP, DOCX, XLSX, PPTX, ZIP, and UTF-8 text, CSV or Markdown. ' +
      "Within the package's per-file limit (413 `file_too_large`) and total storage (403 `package_limit_reached`). Publishes `document.uploaded`.",
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: UploadDocumentBody })
  @ApiData(DocumentDto, 'Stored', 201)
  @ApiInvalid()
  @ApiPayloadTooLargeResponse({ type: ErrorBody, description: "Larger than the package's per-file limit (`file_too_large`)" })
  @ApiUnsupportedMediaTypeResponse({
    type: ErrorBody,
    description: 'Not an accepted type (`unsupported_file_type`), or not multipart/form-data (`multipart_required`)',
  })
  async upload(@Ctx() ctx: RequestContext, @Req() req: Request): Promise<{ data: DocumentDto; message: string }> {
    return { data: DocumentDto.from(await this.uploads.upload(ctx, req)), message: 'Document uploaded' };
  }

  @Get()
  @Permissions('documents.view')
  @ApiOperation({ summary: "The organization's documents, newest first (`search`: in the title or filename)" })
  @ApiPage(DocumentDto)
  @ApiInvalid()
  async list(@Ctx() ctx: RequestContext, @Query() query: DocumentQueryDto): Promise<Page<DocumentDto>> {
    const page = await this.documents.list(ctx, query);
    return { ...page, data: page.data.map((d) => DocumentDto.from(d)) };
  }

  @Get(':id')
  @Permissions('documents.view')
  @ApiOperation({ summary: "One document's metadata" })
  @ApiData(DocumentDto)
  @ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND })
  async get(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<{ data: DocumentDto }> {
    return { data: DocumentDto.from(await this.documents.get(ctx, id)) };
  }

  @Get(':id/download')
  @Permissions('documents.view')
  @ApiOperation({ summary: 'Download the file (HTTP Range and If-None-Match supported); audited' })
  @ApiDownloadResponses()
  async download(@Ctx() ctx: RequestContext, @Param('id') id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    await sendDownload(res, await this.downloads.open(ctx, id, downloadRequest(req)));
  }

  @Get(':id/download-url')
  @Permissions('documents.view')
  @ApiOperation({ summary: 'A link that downloads the file without credentials, valid 5 minutes (for `<a href>`)' })
  @ApiData(DownloadUrlDto)
  @ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND })
  async downloadUrl(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<{ data: DownloadUrlDto }> {
    const { url, expiresAt } = await this.documents.downloadUrl(ctx, id);
    return { data: { url, expires_at: expiresAt.toISOString() } };
  }

  @Delete(':id')
  @Permissions('documents.manage')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete the document (its file is removed after commit); audited' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND })
  async remove(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.documents.remove(ctx, id);
  }
}
