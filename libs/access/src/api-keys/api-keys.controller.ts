import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiForbiddenResponse,
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
import { ApiKeyService } from './api-key.service.js';
import { ApiKeyDto, ApiKeySecretDto, CreateApiKeyDto, CurrentApiKeyDto } from './dto/api-key.dto.js';

const NOT_HELD =
  'The key holds a permission you do not hold (`permission_not_held`), or the caller is an API key (`user_session_required`)';

@ApiTags('api-keys')
@Authenticated()
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeyService) {}

  @Post()
  @Permissions('api_keys.manage')
  @ApiOperation({ summary: 'Create an API key for an external system; the key is in this response only' })
  @ApiData(ApiKeySecretDto, 'Created', 201)
  @ApiInvalid()
  async create(@Ctx() ctx: RequestContext, @Body() dto: CreateApiKeyDto): Promise<{ data: ApiKeySecretDto; message: string }> {
    const { apiKey, key } = await this.keys.create(ctx, dto);
    return { data: ApiKeySecretDto.from(apiKey, key), message: 'API key created; store it now, it will not be shown again' };
  }

  @Get()
  @Permissions('api_keys.manage')
  @ApiOperation({
    summary: "The organization's API keys you may manage (never the keys themselves)",
    description: 'Keys holding a permission you do not hold are not listed.',
  })
  @ApiPage(ApiKeyDto)
  @ApiInvalid()
  async list(@Ctx() ctx: RequestContext, @Query() query: PageQueryDto): Promise<Page<ApiKeyDto>> {
    const page = await this.keys.list(ctx, query);
    return { ...page, data: page.data.map((k) => ApiKeyDto.from(k)) };
  }

  @Get('current')
  @ApiOperation({ summary: 'The API key making this request, with what it may do now' })
  @ApiData(CurrentApiKeyDto)
  @ApiBadRequestResponse({ type: ErrorBody, description: 'The request was not made with an API key' })
  async current(@Ctx() ctx: RequestContext): Promise<{ data: CurrentApiKeyDto }> {
    return { data: CurrentApiKeyDto.from(await this.keys.current(ctx), ctx.permissions) };
  }

  @Post(':id/rotate')
  @HttpCode(200)
  @Permissions('api_keys.manage')
  @ApiOperation({
    summary: 'Replace the secret of a key: the old key stops working at once; the new one is in this response only',
    description: 'The key then acts for you (`created_by` becomes you), capped by your role. Only for keys holding no permission you lack.',
  })
  @ApiData(ApiKeySecretDto)
  @ApiForbiddenResponse({ type: ErrorBody, description: NOT_HELD })
  @ApiNotFoundResponse({ type: ErrorBody })
  @ApiConflictResponse({ type: ErrorBody, description: 'The key is revoked or expired' })
  async rotate(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<{ data: ApiKeySecretDto; message: string }> {
    const { apiKey, key } = await this.keys.rotate(ctx, id);
    return { data: ApiKeySecretDto.from(apiKey, key), message: 'API key rotated; the previous key no longer works' };
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @Permissions('api_keys.manage')
  @ApiOperation({ summary: 'Revoke a key for good; requests with it answer 401 at once' })
  @ApiData(ApiKeyDto)
  @ApiForbiddenResponse({ type: ErrorBody, description: NOT_HELD })
  @ApiNotFoundResponse({ type: ErrorBody })
  async revoke(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<{ data: ApiKeyDto; message: string }> {
    return { data: ApiKeyDto.from(await this.keys.revoke(ctx, id)), message: 'Revoked' };
  }
}
