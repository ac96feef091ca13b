import { Body, Controller, Delete, HttpCode, Param, Post, Put, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiData, ApiInvalid, Authenticated, Ctx, ErrorBody, Permissions, type RequestContext } from '@atrium/platform';
import { PaymentDto } from '../payments/dto/payment.dto.js';
import { OrganizationPackageDto } from '../subscriptions/dto/organization-package.dto.js';
import { OrganizationPackageService } from '../subscriptions/organization-package.service.js';
import { AddonService } from './addon.service.js';
import { AutoRenewService } from './auto-renew.service.js';
import { AutoRenewDto, BuyFeatureDto, CalculateUpgradePriceDto, ChangePackageDto, QuoteDto } from './dto/plans.dto.js';
import { PlanChangeService } from './plan-change.service.js';
import { QuoteService } from './quote.service.js';

@ApiTags('packages')
@Authenticated()
@Controller('organizations/me')
export class PlansController {
  constructor(
    private readonly quotes: QuoteService,
    private readonly changes: PlanChangeService,
    private readonly addons: AddonService,
    private readonly autoRenew: AutoRenewService,
    private readonly packages: OrganizationPackageService,
  ) {}

  @Post('package/calculate-upgrade-price')
  @HttpCode(200)
  @Permissions('billing.view')
  @ApiOperation({
    summary: 'Quote a package change: list price, credit for the unused paid period (by the second), amount due; valid 30 minutes',
    description:
      '`quote_id` is an opaque signed token (at most 600 characters), valid 30 minutes and used once. Nothing is stored until a ' +
      'payment or a change uses it; using it after the subscription changed answers 409 `quote_stale`.',
  })
  @ApiData(QuoteDto)
  @ApiInvalid()
  @ApiNotFoundResponse({ type: ErrorBody, description: 'Unknown package (`package_not_found`, naming it)' })
  async quote(@Ctx() ctx: RequestContext, @Body() dto: CalculateUpgradePriceDto): Promise<{ data: QuoteDto }> {
    const quote = await this.quotes.create(ctx, { packageId: dto.package_id, period: dto.period, customMonths: dto.custom_months });
    return { data: QuoteDto.from(quote) };
  }

  @Put('package')
  @Permissions('billing.manage')
  @ApiOperation({
    summary: 'Change the package',
    description:
      'Upgrade with an amount due: 201 with the pending payment, exactly as `POST /payments` answers (the package changes when it ' +
      'succeeds). Upgrade a credit covers: 200, applied at once. Downgrade (a lower package, the free package, a shorter period): 200 ' +
      'with `subscription.scheduled_change`, applied at the period end; refused 409 `usage_exceeds_limits` listing each ' +
      '`{resource, used, limit}`. Choosing the current package again cancels a scheduled change.',
  })
  @ApiExtraModels(PaymentDto, OrganizationPackageDto)
  @ApiCreatedResponse({ description: 'A payment to complete', schema: { properties: { data: { $ref: getSchemaPath(PaymentDto) } } } })
  @ApiOkResponse({ description: 'Changed or scheduled', schema: { properties: { data: { $ref: getSchemaPath(OrganizationPackageDto) } } } })
  @ApiInvalid()
  @ApiNotFoundResponse({ type: ErrorBody, description: 'Unknown package or quote' })
  @ApiConflictResponse({ type: ErrorBody, description: '`usage_exceeds_limits`, `quote_used`, `quote_expired`, `quote_stale`' })
  async change(
    @Ctx() ctx: RequestContext,
    @Body() dto: ChangePackageDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<{ data: PaymentDto | OrganizationPackageDto }> {
    const result = await this.changes.change(ctx, {
      packageId: dto.package_id,
      period: dto.period,
      customMonths: dto.custom_months,
      quoteId: dto.quote_id,
      gateway: dto.gateway,
    });
    if (result.kind === 'payment') {
      res.status(201);
      return { data: PaymentDto.from(result.started.payment, result.started.checkout) };
    }
    res.status(200);
    return { data: await this.packages.current(ctx) };
  }

  @Put('package/auto-renew')
  @Permissions('billing.manage')
  @ApiOperation({
    summary: 'Turn auto-renewal on or off; `credentials` saves a payment method at the gateway (only its reference is kept)',
    description:
      'Sandbox and Stripe test tokens: `tok_visa` (charges), `tok_chargeDeclined` (declined), `tok_chargeDeclinedInsufficientFunds`. ' +
      'With auto-renewal on, the package is charged off-session at the period end (an "upcoming renewal" mail goes out 7 days before); ' +
      'a declined renewal makes the subscription `past_due` (the package stays), is retried 1, 3 and 5 days later, and after 7 days ' +
      'the organization moves to Free. Saving a new card during that time makes the next retry use it. With auto-renewal off the ' +
      'package ends at the period end (Free).',
  })
  @ApiBody({
    type: AutoRenewDto,
    examples: {
      tok_visa: { summary: 'A card that charges', value: { enabled: true, credentials: { payment_method: 'sandbox', token: 'tok_visa' } } },
      tok_chargeDeclined: {
        summary: 'A card that is declined when charged',
        value: { enabled: true, credentials: { payment_method: 'sandbox', token: 'tok_chargeDeclined' } },
      },
      tok_chargeDeclinedInsufficientFunds: {
        summary: 'A card that fails for insufficient funds',
        value: { enabled: true, credentials: { payment_method: 'stripe', stripe_card_token: 'tok_chargeDeclinedInsufficientFunds' } },
      },
      off: { summary: 'Turn auto-renewal off (the saved card stays)', value: { enabled: false } },
    },
  })
  @ApiData(OrganizationPackageDto)
  @ApiInvalid()
  async configureAutoRenew(@Ctx() ctx: RequestContext, @Body() dto: AutoRenewDto): Promise<{ data: OrganizationPackageDto }> {
    const c = dto.credentials;
    const token = c?.token ?? c?.stripe_card_token;
    await this.autoRenew.configure(ctx, {
      enabled: dto.enabled,
      credentials: c ? { gateway: c.payment_method, token: token ?? '' } : undefined,
    });
    return { data: await this.packages.current(ctx) };
  }

  @Post('features')
  @Permissions('billing.manage')
  @ApiOperation({
    summary: 'Buy an add-on, prorated by the second to the end of the current period (Free: one month); answers the payment',
    description:
      'An add-on is bought for one period: it lapses when that period ends, also when the package renews (renewals charge the ' +
      'package only). Buy it again for the new period.',
  })
  @ApiData(PaymentDto, 'A payment to complete (as `POST /payments` answers)', 201)
  @ApiInvalid()
  @ApiNotFoundResponse({ type: ErrorBody, description: 'Unknown feature' })
  @ApiConflictResponse({ type: ErrorBody, description: 'Already included (`feature_already_included`)' })
  async buy(@Ctx() ctx: RequestContext, @Body() dto: BuyFeatureDto): Promise<{ data: PaymentDto }> {
    const started = await this.addons.buy(ctx, { featureId: dto.feature_id, quantity: dto.quantity, gateway: dto.gateway });
    return { data: PaymentDto.from(started.payment, started.checkout) };
  }

  @Delete('features/:id')
  @Permissions('billing.manage')
  @ApiOperation({ summary: 'Stop an add-on at the end of its period (it stays active until `cancel_at`)' })
  @ApiData(OrganizationPackageDto, 'The package with the add-on and its `cancel_at`')
  @ApiNotFoundResponse({ type: ErrorBody })
  @ApiConflictResponse({ type: ErrorBody, description: 'Already stopped (`addon_already_cancelled`)' })
  async stop(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<{ data: OrganizationPackageDto }> {
    await this.addons.stop(ctx, id);
    return { data: await this.packages.current(ctx) };
  }
}
