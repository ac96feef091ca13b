import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiExtraModels, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiData, ApiInvalid, ApiList, Authenticated, Ctx, ErrorBody, Permissions, type RequestContext } from '@atrium/platform';
import { AuditReader } from './audit-reader.js';
import { AuditStats } from './audit-stats.js';
import { AuditChangeDto, AuditLogDto, AuditPageDto, AuditStatsDto, ViewableUserDto } from './dto/audit-entry.dto.js';
import { AuditListQueryDto, AuditRangeQueryDto } from './dto/audit-query.dto.js';

/**
 * The organization's audit trail, read with `audit.view`. Fixed paths come before `:id`; the export and the chain's
 * verification live in their own controllers, registered before this one.
 */
@ApiTags('audit-logs')
@ApiExtraModels(AuditChangeDto)
@Controller('audit-logs')
@Authenticated()
@Permissions('audit.view')
export class AuditLogsController {
  constructor(
    private readonly reader: AuditReader,
    private readonly stats: AuditStats,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Audit entries, newest first, filtered; numbered pages over the newest 10,000 matches, `cursor` beyond',
    description:
      'Filters: `action`, `user_id` (alias `user`), `resource_type` (alias `resource`), `resource_id` (alias `id`), `from`, ' +
      '`to` (inclusive). `total` counts up to 10,000 (`total_exact` says whether it is exact); each page answers ' +
      '`next_cursor`, and `?cursor=` reads the next page at the same cost however deep it is (no total).',
  })
  @ApiOkResponse({ type: AuditPageDto })
  @ApiInvalid()
  list(@Ctx() ctx: RequestContext, @Query() query: AuditListQueryDto): Promise<AuditPageDto> {
    return this.reader.list(ctx, query);
  }

  @Get('stats')
  @ApiOperation({ summary: 'Counts by action, by actor and by UTC day between `from` and `to` (default: the last 30 days)' })
  @ApiData(AuditStatsDto)
  @ApiInvalid()
  async statistics(@Ctx() ctx: RequestContext, @Query() query: AuditRangeQueryDto): Promise<{ data: AuditStatsDto }> {
    return { data: await this.stats.stats(ctx, query) };
  }

  @Get('viewable-users')
  @ApiOperation({ summary: 'The accounts that acted in this organization: the values `user_id` can filter by' })
  @ApiList(ViewableUserDto)
  async viewableUsers(@Ctx() ctx: RequestContext): Promise<{ data: ViewableUserDto[] }> {
    return { data: await this.stats.viewableUsers(ctx) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One audit entry of this organization' })
  @ApiData(AuditLogDto)
  @ApiNotFoundResponse({ type: ErrorBody, description: 'No such entry in this organization (`audit_log_not_found`)' })
  async get(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<{ data: AuditLogDto }> {
    return { data: await this.reader.get(ctx, id) };
  }
}
