import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiData, ApiInvalid, ApiPage, Authenticated, Ctx, ErrorBody, type Page, Permissions, type RequestContext } from '@atrium/platform';
import { WebhookEventDetailDto, WebhookEventDto, WebhookEventQueryDto } from './dto/webhook-event.dto.js';
import { WebhookEventReader } from './webhook-event-reader.js';

const NOT_FOUND = 'No such webhook event in this organization (`webhook_event_not_found`)';
const LIST = 'The webhook event log, newest first, filtered by provider (id or name), status, type and receipt time (`from` ≤ t < `to`)';

/**
 * The webhook event log, also at the paths webhooks-service-api.md uses (`GET /webhooks?provider=`, `GET /webhooks/{id}`).
 * Only GETs live under `/webhooks` here: its POSTs are the receiving routes (and billing's test route), so they never meet.
 */
@ApiTags('integrations')
@Authenticated()
@Controller(['integrations/webhook-events', 'webhooks'])
export class WebhookEventsController {
  constructor(private readonly events: WebhookEventReader) {}

  @Get()
  @Permissions('integrations.view')
  @ApiOperation({ summary: LIST })
  @ApiPage(WebhookEventDto)
  @ApiInvalid()
  list(@Ctx() ctx: RequestContext, @Query() query: WebhookEventQueryDto): Promise<Page<WebhookEventDto>> {
    return this.events.list(ctx, query);
  }

  @Get(':id')
  @Permissions('integrations.view')
  @ApiOperation({ summary: 'One webhook event with its headers and every processing attempt' })
  @ApiData(WebhookEventDetailDto)
  @ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND })
  async get(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<{ data: WebhookEventDetailDto }> {
    return { data: await this.events.get(ctx, id) };
  }
}
