import { Controller, Get, Query } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { ApiInvalid, ApiPage, Authenticated, Ctx, type Page, PageQueryDto, Permissions, type RequestContext } from '@atrium/platform';
import { IntegrationHealthDto, IntegrationStatusDto } from './dto/health.dto.js';
import { IntegrationHealthReader } from './integration-health-reader.js';

@ApiTags('integrations')
@Authenticated()
@Controller('integrations')
@ApiExtraModels(IntegrationStatusDto)
export class IntegrationHealthController {
  constructor(private readonly reader: IntegrationHealthReader) {}

  @Get('health')
  @Permissions('integrations.view')
  @ApiOperation({
    summary: 'Health of each provider with a health URL (base_url + health_path), from the scheduled probe',
    description: 'Probed every INTEGRATION_HEALTH_INTERVAL_SECONDS; `down` after 3 failed probes in a row, recovered on the first success.',
  })
  @ApiPage(IntegrationHealthDto)
  @ApiInvalid()
  list(@Ctx() ctx: RequestContext, @Query() query: PageQueryDto): Promise<Page<IntegrationHealthDto>> {
    return this.reader.list(ctx, query);
  }

  @Get('status')
  @Permissions('integrations.view')
  @ApiOperation({
    summary: 'Each live provider’s status, keyed by its name: OK, RETRYING or FAILED, its last sync and the error behind it',
  })
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: { data: { type: 'object', additionalProperties: { $ref: getSchemaPath(IntegrationStatusDto) } } },
      example: {
        data: {
          'user-service': { status: 'OK', lastSync: '2025-06-27T10:00:00.000Z', lastError: null, health: 'healthy' },
          'payment-service': { status: 'RETRYING', lastSync: null, lastError: 'No answer within 5000 ms', health: 'degraded' },
        },
      },
    },
  })
  async status(@Ctx() ctx: RequestContext): Promise<{ data: Record<string, IntegrationStatusDto> }> {
    return { data: await this.reader.status(ctx) };
  }
}
