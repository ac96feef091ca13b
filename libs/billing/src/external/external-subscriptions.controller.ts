import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiInvalid, ApiPage, Authenticated, Ctx, type Page, PageQueryDto, Permissions, type RequestContext } from '@atrium/platform';
import { ExternalSubscriptionDto } from './dto/external-subscription.dto.js';
import { ExternalSubscriptionReader } from './external-subscription-reader.js';

@ApiTags('payments')
@Authenticated()
@Controller('organizations/me/external-subscriptions')
export class ExternalSubscriptionsController {
  constructor(private readonly subscriptions: ExternalSubscriptionReader) {}

  @Get()
  @Permissions('billing.view')
  @ApiOperation({
    summary: 'Subscriptions partner payment services reported by webhook (`subscription.*`), newest first',
    description: 'Their paid invoices (`invoice.paid`) are in `GET /payments` as payments of gateway `external`.',
  })
  @ApiPage(ExternalSubscriptionDto)
  @ApiInvalid()
  list(@Ctx() ctx: RequestContext, @Query() query: PageQueryDto): Promise<Page<ExternalSubscriptionDto>> {
    return this.subscriptions.list(ctx, query);
  }
}
