import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { ApiData, ApiInvalid, ApiPage, Authenticated, Ctx, ErrorBody, type Page, Permissions, type RequestContext } from '@atrium/platform';
import { CreatePaymentDto, PaymentDto, PaymentQueryDto, VerifiedPaymentDto, VerifyPaymentDto } from './dto/payment.dto.js';
import { PaymentService } from './payment.service.js';

@ApiTags('payments')
@Authenticated()
@Controller('payments')
export class PaymentsController {
  constructor(private readonly payments: PaymentService) {}

  @Post()
  @Permissions('billing.manage')
  @ApiOperation({
    summary: 'Start a payment for a package upgrade or an add-on; the server computes the amount',
    description:
      'Answers the pending payment and what the payer needs: sandbox → `checkout_url` (a page with the test cards 4242 4242 4242 4242 ' +
      'succeeds, 4000 0000 0000 0002 declined, 4000 0000 0000 9995 insufficient funds); Stripe → `client_secret` (or `checkout_url` ' +
      'with STRIPE_CHECKOUT=true). The purchase applies when the gateway reports success (callback or verify).',
  })
  @ApiData(PaymentDto, 'Created (pending)', 201)
  @ApiInvalid()
  @ApiNotFoundResponse({ type: ErrorBody, description: 'Unknown package, feature or quote' })
  @ApiConflictResponse({
    type: ErrorBody,
    description: '`not_an_upgrade`, `nothing_due`, `quote_used`, `quote_expired`, `quote_stale`, `feature_already_included`',
  })
  @ApiServiceUnavailableResponse({ type: ErrorBody, description: 'The gateway could not be reached (`gateway_unreachable`)' })
  async create(@Ctx() ctx: RequestContext, @Body() dto: CreatePaymentDto): Promise<{ data: PaymentDto }> {
    const started = await this.payments.create(ctx, dto.gateway, toPurchaseRequest(dto), dto.amount);
    return { data: PaymentDto.from(started.payment, started.checkout) };
  }

  @Get()
  @Permissions('billing.view')
  @ApiOperation({ summary: "The organization's payments, newest first" })
  @ApiPage(PaymentDto)
  @ApiInvalid()
  async list(@Ctx() ctx: RequestContext, @Query() query: PaymentQueryDto): Promise<Page<PaymentDto>> {
    const page = await this.payments.list(ctx, query);
    return { ...page, data: page.data.map((p) => PaymentDto.from(p)) };
  }

  @Post('verify')
  @HttpCode(200)
  @Permissions('billing.manage')
  @ApiOperation({
    summary: "Ask the gateway for the payment's state now and apply it (the redirect-return path; idempotent)",
  })
  @ApiData(VerifiedPaymentDto)
  @ApiInvalid()
  @ApiNotFoundResponse({ type: ErrorBody })
  async verify(@Ctx() ctx: RequestContext, @Body() dto: VerifyPaymentDto): Promise<{ data: VerifiedPaymentDto }> {
    const { payment, outcome } = await this.payments.verify(ctx, dto.payment_id, dto.transaction_id);
    return { data: { ...PaymentDto.from(payment), outcome } };
  }

  @Get(':id')
  @Permissions('billing.view')
  @ApiOperation({ summary: 'One payment' })
  @ApiData(PaymentDto)
  @ApiNotFoundResponse({ type: ErrorBody })
  async get(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<{ data: PaymentDto }> {
    return { data: PaymentDto.from(await this.payments.get(ctx, id)) };
  }
}

function toPurchaseRequest(dto: CreatePaymentDto) {
  return {
    paymentType: dto.payment_type,
    packageId: dto.package_id,
    period: dto.period,
    customMonths: dto.custom_months,
    quoteId: dto.quote_id,
    featureId: dto.feature_id,
    quantity: dto.quantity,
  };
}
