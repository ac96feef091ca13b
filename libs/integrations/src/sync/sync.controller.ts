import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import {
  ApiData,
  ApiInvalid,
  ApiPage,
  Authenticated,
  Ctx,
  ErrorBody,
  type Page,
  PageQueryDto,
  Permissions,
  type RequestContext,
} from '@atrium/platform';
import { SyncRunDto, TriggerSyncDto } from './dto/sync.dto.js';
import { SyncService } from './sync.service.js';

@ApiTags('integrations')
@Authenticated()
@Controller('integrations')
export class SyncController {
  constructor(private readonly syncs: SyncService) {}

  @Post('sync/trigger')
  @HttpCode(202)
  @Permissions('integrations.manage')
  @ApiOperation({
    summary: 'Queue a data sync: a paged pull of base_url + /api/data/{sync_type}, upserted by record id',
    description:
      'One sync per provider and type at a time. Records land in the synced records, keyed by (provider, type, id), so a repeated ' +
      'sync updates instead of duplicating. A run whose worker stops resumes after its last committed page. Audited.',
  })
  @ApiData(SyncRunDto, 'Sync triggered', 202)
  @ApiInvalid()
  @ApiNotFoundResponse({ type: ErrorBody, description: 'No such provider in this organization (`provider_not_found`)' })
  @ApiConflictResponse({ type: ErrorBody, description: 'A sync of this type from this provider is queued or running (`sync_in_progress`)' })
  @ApiUnprocessableEntityResponse({ type: ErrorBody, description: 'The provider has no base_url (`provider_has_no_base_url`)' })
  async trigger(@Ctx() ctx: RequestContext, @Body() dto: TriggerSyncDto): Promise<{ data: SyncRunDto; message: string }> {
    return { data: await this.syncs.trigger(ctx, dto), message: 'Sync triggered' };
  }

  @Get('data-sync')
  @Permissions('integrations.view')
  @ApiOperation({ summary: 'Data sync runs, newest first, with progress, counts and errors' })
  @ApiPage(SyncRunDto)
  @ApiInvalid()
  list(@Ctx() ctx: RequestContext, @Query() query: PageQueryDto): Promise<Page<SyncRunDto>> {
    return this.syncs.list(ctx, query);
  }
}
