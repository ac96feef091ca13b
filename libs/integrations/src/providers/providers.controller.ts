import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBody,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
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
import { CreateProviderDto, ProviderDto, ProviderWithSecretDto, RotateSecretDto, UpdateProviderDto } from './dto/provider.dto.js';
import { ProviderService } from './provider.service.js';

const NOT_FOUND = 'No such provider in this organization (`provider_not_found`)';
const withSecret = (r: { provider: ProviderDto; secret: string }): ProviderWithSecretDto => ({ ...r.provider, secret: r.secret });

@ApiTags('integrations')
@Authenticated()
@Controller('integrations/providers')
export class ProvidersController {
  constructor(private readonly providers: ProviderService) {}

  @Post()
  @Permissions('integrations.manage')
  @ApiOperation({
    summary: 'Register a service that sends signed webhooks; its secret is in this response only',
    description: 'Counts against the package limit `webhook_providers`. Webhooks then go to `POST /webhooks/{organization}/{name}`.',
  })
  @ApiData(ProviderWithSecretDto, 'Created', 201)
  @ApiInvalid()
  @ApiConflictResponse({ type: ErrorBody, description: 'Another provider of the organization has this name (`provider_name_taken`)' })
  @ApiForbiddenResponse({ type: ErrorBody, description: 'The package allows no more providers (`package_limit_reached`)' })
  async create(@Ctx() ctx: RequestContext, @Body() dto: CreateProviderDto): Promise<{ data: ProviderWithSecretDto; message: string }> {
    const { provider, secret } = await this.providers.create(ctx, dto);
    return {
      data: withSecret({ provider: ProviderDto.from(provider), secret }),
      message: 'Provider created; store the secret now, it will not be shown again',
    };
  }

  @Get()
  @Permissions('integrations.view')
  @ApiOperation({ summary: "The organization's webhook providers, newest first (never their secrets)" })
  @ApiPage(ProviderDto)
  @ApiInvalid()
  async list(@Ctx() ctx: RequestContext, @Query() query: PageQueryDto): Promise<Page<ProviderDto>> {
    const page = await this.providers.list(ctx, query);
    return { ...page, data: page.data.map((p) => ProviderDto.from(p)) };
  }

  @Get(':id')
  @Permissions('integrations.view')
  @ApiOperation({ summary: 'One provider (never its secret)' })
  @ApiData(ProviderDto)
  @ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND })
  async get(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<{ data: ProviderDto }> {
    return { data: ProviderDto.from(await this.providers.get(ctx, id)) };
  }

  @Patch(':id')
  @Permissions('integrations.manage')
  @ApiOperation({ summary: 'Change name, base_url, health_path or event_types (the scheme and secret stay; rotate the secret instead)' })
  @ApiData(ProviderDto)
  @ApiInvalid()
  @ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND })
  @ApiConflictResponse({ type: ErrorBody, description: 'Another provider of the organization has this name (`provider_name_taken`)' })
  async update(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() dto: UpdateProviderDto): Promise<{ data: ProviderDto }> {
    return { data: ProviderDto.from(await this.providers.update(ctx, id, dto)) };
  }

  @Delete(':id')
  @HttpCode(204)
  @Permissions('integrations.manage')
  @ApiOperation({ summary: 'Delete a provider: its webhooks are answered 410 Gone from now on; its events stay in the log' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND })
  async remove(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.providers.remove(ctx, id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @Permissions('integrations.manage')
  @ApiOperation({
    summary: 'A new signing secret, in this response only; the previous one keeps verifying for the grace window',
    description: 'WEBHOOK_SECRET_GRACE_HOURS (default 24): until `previous_secret_expires_at` both secrets verify, then only the new one.',
  })
  @ApiBody({ type: RotateSecretDto, required: false })
  @ApiData(ProviderWithSecretDto)
  @ApiInvalid()
  @ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND })
  async rotate(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Body() dto: RotateSecretDto,
  ): Promise<{ data: ProviderWithSecretDto; message: string }> {
    const { provider, secret } = await this.providers.rotate(ctx, id, dto.secret);
    return {
      data: withSecret({ provider: ProviderDto.from(provider), secret }),
      message: 'Secret rotated; store it now, it will not be shown again',
    };
  }
}
