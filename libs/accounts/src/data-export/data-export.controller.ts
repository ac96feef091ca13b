import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AllowRestricted, Authenticated, Ctx, type RequestContext } from '@atrium/platform';
import { type ChunkWriter, DataExportService } from './data-export.service.js';

/** Writes to the response, waiting for the socket to drain; fails if the client goes away. */
function responseWriter(res: Response): ChunkWriter {
  return (chunk) =>
    new Promise<void>((resolve, reject) => {
      if (res.destroyed) return reject(new Error('The client closed the connection'));
      if (res.write(chunk)) return resolve();
      const done = (err?: Error) => {
        res.off('drain', onDrain);
        res.off('close', onClose);
        if (err) reject(err);
        else resolve();
      };
      const onDrain = () => done();
      const onClose = () => done(new Error('The client closed the connection'));
      res.on('drain', onDrain);
      res.on('close', onClose);
    });
}

@ApiTags('users')
@Authenticated()
@AllowRestricted()
@Controller('users/me')
export class DataExportController {
  constructor(private readonly exporter: DataExportService) {}

  @Get('download-data')
  @ApiOperation({
    summary: 'Everything the platform holds about you (GDPR), as a JSON attachment written as it is read',
    description:
      'Sections: profile, memberships, sessions, then one per feature (api_keys, audit_trail, invitations, mfa, …). ' +
      'No password or token hashes, secrets or keys.',
  })
  @ApiProduces('application/json')
  @ApiOkResponse({
    description: 'The export document',
    headers: { 'Content-Disposition': { description: 'attachment; filename="atrium-data-….json"', schema: { type: 'string' } } },
    schema: { type: 'object', properties: { format: { type: 'string' }, generated_at: { type: 'string' }, profile: { type: 'object' } } },
  })
  async download(@Ctx() ctx: RequestContext, @Res() res: Response): Promise<void> {
    const userId = ctx.requireUserId();
    res.status(200);
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="atrium-data-${new Date().toISOString().slice(0, 10)}.json"`);
    res.setHeader('Cache-Control', 'no-store');
    await this.exporter.export(userId, responseWriter(res));
    res.end();
  }
}
