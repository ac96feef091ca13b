import { pipeline } from 'node:stream/promises';
import { Controller, Get, Logger, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiInvalid, Authenticated, Ctx, ErrorBody, Permissions, type RequestContext, RequiresFeature } from '@atrium/platform';
import { AuditExportQueryDto } from '../query/dto/audit-query.dto.js';
import { AuditExportService, EXPORT_CONTENT_TYPE } from './audit-export.service.js';

/** `GET /audit-logs/export`: its own controller, registered before the one with `GET /audit-logs/:id`. */
@ApiTags('audit-logs')
@Controller('audit-logs')
@Authenticated()
export class AuditExportController {
  private readonly logger = new Logger('AuditExport');

  constructor(private readonly exporter: AuditExportService) {}

  @Get('export')
  @Permissions('audit.export')
  @RequiresFeature('audit_export')
  @ApiOperation({
    summary: 'Download the audit trail as CSV or NDJSON, with the list’s filters, newest first',
    description:
      'Streamed from one consistent snapshot with constant memory, at the pace the client reads. CSV cells starting with ' +
      "`=`, `+`, `-`, `@`, tab or CR are prefixed with `'` so spreadsheets do not run them as formulas; NDJSON has one " +
      'entry (the shape of GET /audit-logs/:id) per line. Needs the package feature `audit_export` (Platinum, Diamond).',
  })
  @ApiProduces(EXPORT_CONTENT_TYPE.csv, EXPORT_CONTENT_TYPE.ndjson)
  @ApiOkResponse({
    description: 'The file',
    headers: { 'Content-Disposition': { description: 'attachment; filename="audit-logs-2026-11-29.csv"', schema: { type: 'string' } } },
    schema: { type: 'string' },
  })
  @ApiInvalid()
  @ApiTooManyRequestsResponse({
    type: ErrorBody,
    description:
      'As many exports as this server allows were still running after 2 s of waiting (`audit_export_busy`); `Retry-After` says when to try again',
    headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
  })
  async export(@Ctx() ctx: RequestContext, @Query() query: AuditExportQueryDto, @Res() res: Response): Promise<void> {
    const stream = await this.exporter.open(ctx, query);
    res.status(200);
    res.setHeader('Content-Type', EXPORT_CONTENT_TYPE[query.format]);
    res.setHeader('Content-Disposition', `attachment; filename="audit-logs-${new Date().toISOString().slice(0, 10)}.${query.format}"`);
    // pipeline destroys the cursor stream when the client goes away, which ends its transaction and frees the connection.
    await pipeline(stream, res).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ERR_STREAM_PREMATURE_CLOSE') this.logger.warn(`export ended early: ${err.message}`);
    });
  }
}
