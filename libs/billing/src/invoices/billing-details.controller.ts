import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiData, ApiInvalid, Authenticated, Ctx, Permissions, type RequestContext } from '@atrium/platform';
import { BillingDetailsService } from './billing-details.service.js';
import { BillingDetailsDto, UpdateBillingDetailsDto } from './dto/billing-details.dto.js';

@ApiTags('billing')
@Authenticated()
@Controller('organizations/me/billing-details')
export class BillingDetailsController {
  constructor(private readonly billingDetails: BillingDetailsService) {}

  @Get()
  @Permissions('billing.view')
  @ApiOperation({ summary: 'Who invoices are made out to; until set, the organization’s name and email' })
  @ApiData(BillingDetailsDto)
  async get(@Ctx() ctx: RequestContext): Promise<{ data: BillingDetailsDto }> {
    const { details, updatedAt } = await this.billingDetails.get(ctx);
    return { data: BillingDetailsDto.from(details, updatedAt) };
  }

  @Put()
  @Permissions('billing.manage')
  @ApiOperation({
    summary: 'Set the billing details (fields left out are cleared)',
    description: 'Invoices already issued keep the details they were issued with.',
  })
  @ApiData(BillingDetailsDto)
  @ApiInvalid()
  async update(@Ctx() ctx: RequestContext, @Body() dto: UpdateBillingDetailsDto): Promise<{ data: BillingDetailsDto; message: string }> {
    const { details, updatedAt } = await this.billingDetails.update(ctx, dto);
    return { data: BillingDetailsDto.from(details, updatedAt), message: 'Billing details updated' };
  }
}
