import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiData, ApiInvalid, Authenticated, Ctx, ErrorBody, Permissions, type RequestContext, RequiresFeature } from '@atrium/platform';
import { CallService } from './call.service.js';
import { CallDto, IceServersDto, StartCallDto, UpdateMediaDto } from './dto/call.dto.js';
import { IceServers } from './ice-servers.js';

const NOT_FOUND = 'No such call or chat in your chats (also another organization’s)';

@ApiTags('calls')
@Authenticated()
@Permissions('calls.use')
@RequiresFeature('calls')
@Controller('calls')
export class CallsController {
  constructor(
    private readonly calls: CallService,
    private readonly ice: IceServers,
  ) {}

  @Get('ice-servers')
  @ApiOperation({
    summary: 'ICE servers for RTCPeerConnection: STUN, and TURN with short-lived credentials signed for the caller',
    description: 'TURN REST API credentials (`username` = `<unix expiry>:<user id>`); fetch again before `ttl_seconds` pass.',
  })
  @ApiData(IceServersDto)
  iceServers(@Ctx() ctx: RequestContext): { data: IceServersDto } {
    return { data: this.ice.for(ctx.requireUserId()) };
  }

  @Post('chats/:chatId')
  @ApiOperation({ summary: 'Start a call in a chat: it rings (`call:incoming`) for the other members' })
  @ApiData(CallDto, 'The ringing call', 201)
  @ApiInvalid()
  @ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND })
  @ApiConflictResponse({ type: ErrorBody, description: 'The chat already has a call that has not ended (`call_in_progress`)' })
  async start(@Ctx() ctx: RequestContext, @Param('chatId') chatId: string, @Body() dto: StartCallDto): Promise<{ data: CallDto }> {
    return { data: await this.calls.start(ctx, chatId, dto.call_type) };
  }

  @Get('chats/:chatId/active')
  @ApiOperation({ summary: 'The chat’s call that has not ended; `data` is null when there is none' })
  @ApiData(CallDto, 'The call, or `{ "data": null }`')
  @ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND })
  async active(@Ctx() ctx: RequestContext, @Param('chatId') chatId: string): Promise<{ data: CallDto | null }> {
    return { data: await this.calls.active(ctx, chatId) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A call of one of your chats, with its participants' })
  @ApiData(CallDto)
  @ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND })
  async get(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<{ data: CallDto }> {
    return { data: await this.calls.get(ctx, id) };
  }

  @Post(':id/join')
  @HttpCode(200)
  @ApiOperation({ summary: 'Join (answer) the call: `call:answered` to the chat; the first answer makes it active' })
  @ApiData(CallDto)
  @ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND })
  @ApiConflictResponse({ type: ErrorBody, description: 'The call has ended (`call_ended`)' })
  async join(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<{ data: CallDto }> {
    return { data: await this.calls.join(ctx, id) };
  }

  @Post(':id/leave')
  @HttpCode(200)
  @ApiOperation({ summary: 'Leave the call (`call:left`); the last one out ends it' })
  @ApiData(CallDto)
  @ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND })
  @ApiConflictResponse({ type: ErrorBody, description: '`call_ended`, or `call_not_joined`' })
  async leave(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<{ data: CallDto }> {
    return { data: await this.calls.leave(ctx, id) };
  }

  @Post(':id/end')
  @HttpCode(200)
  @ApiOperation({ summary: 'End the call for everyone (`call:ended`); only someone in the call may' })
  @ApiData(CallDto)
  @ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND })
  @ApiConflictResponse({ type: ErrorBody, description: '`call_ended`, or `call_not_joined`' })
  async end(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<{ data: CallDto }> {
    return { data: await this.calls.end(ctx, id) };
  }

  @Post(':id/reject')
  @HttpCode(200)
  @ApiOperation({ summary: 'Decline a call ringing for you (`call:reject`); a ringing call nobody is left to answer ends `rejected`' })
  @ApiData(CallDto)
  @ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND })
  @ApiConflictResponse({ type: ErrorBody, description: '`call_ended`, or `call_not_invited` (not ringing for you)' })
  async reject(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<{ data: CallDto }> {
    return { data: await this.calls.reject(ctx, id) };
  }

  @Put(':id/media')
  @ApiOperation({ summary: 'Turn your microphone and camera on or off (`call:media` to those in the call)' })
  @ApiData(CallDto)
  @ApiInvalid()
  @ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND })
  @ApiConflictResponse({ type: ErrorBody, description: '`call_ended`, or `call_not_joined`' })
  async media(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() dto: UpdateMediaDto): Promise<{ data: CallDto }> {
    return { data: await this.calls.media(ctx, id, { audio: dto.audio_enabled, video: dto.video_enabled }) };
  }
}
