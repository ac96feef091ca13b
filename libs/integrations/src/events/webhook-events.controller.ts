import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiData, ApiInvalid, ApiPage, Authenticated, Ctx, ErrorBody, type Page, Permissions, type RequestContext } from '@atrium/platform';
import { WebhookEventDetailDto, WebhookEventDto, WebhookEventQueryDto } from './dto/webhook-event.dto.js';
import { WebhookEventReader } from './webhook-event-reader.js';

const NOT_FOUND = 'No such webhook event in this organization (`webhook_event_not_found`)';
const LIST = 'The webhook event log, newest first, filtered by provider (id or name), status, type and receipt time (`from` ≤ t < `to`)';

/**
 * The webhook event log. Its list also answers at webhooks-service-api.md's `GET /webhooks?provider=`; that document's
 * `GET /webhooks/{id}` is left out: its path template is the receiving `POST /webhooks/{provider}`'s, which OpenAPI
 * cannot tell apart (one path, two meanings of its parameter), so clients generated from Swagger would break.
 */
@ApiTags('integrations')
@Authenticated()
@Controller()
export class WebhookEventsController {
  constructor(private readonly events: WebhookEventReader) {}

  @Get(['integrations/webhook-events', 'webhooks'])
  @Permissions('integrations.view')
  @ApiOperation({ summary: LIST })
  @ApiPage(WebhookEventDto)
  @ApiInvalid()
  list(@Ctx() ctx: RequestContext, @Query() query: WebhookEventQueryDto): Promise<Page<WebhookEventDto>> {
    return this.events.list(ctx, query);
  }

  @Get('integrations/webhook-events/:id')
  @Permissions('integrations.view')
  @ApiOperation({ summary: 'One webhook event with its headers and every processing attempt' })
  @ApiData(WebhookEventDetailDto)
  @ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND })
  async get(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<{ data: WebhookEventDetailDto }> {
    return { data: await this.events.get(ctx, id) };
  }
}
