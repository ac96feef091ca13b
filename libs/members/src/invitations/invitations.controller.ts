import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import {
  ApiData,
  ApiInvalid,
  ApiPage,
  Authenticated,
  Ctx,
  ErrorBody,
  type Page,
  Permissions,
  Public,
  RateLimit,
  type RequestContext,
} from '@atrium/platform';
import { RoleRefDto } from '@atrium/organizations';
import {
  AcceptedInvitationDto,
  AcceptInvitationDto,
  CreateInvitationDto,
  InvitationDto,
  InvitationPreviewDto,
  InvitationQueryDto,
} from './dto/invitation.dto.js';
import { InvitationAcceptanceService } from './invitation-acceptance.service.js';
import { InvitationService } from './invitation.service.js';

const TOKEN_ERRORS =
  'Unknown or malformed token (404 `invitation_not_found`); already accepted or expired (409 `invitation_used`, `invitation_expired`)';

@ApiTags('invitations')
@Controller('invitations')
export class InvitationsController {
  constructor(
    private readonly invitations: InvitationService,
    private readonly acceptance: InvitationAcceptanceService,
  ) {}

  @Post()
  @Authenticated()
  @Permissions('invitations.manage')
  @ApiOperation({ summary: 'Invite an email with a role: mails a seven-day, single-use link; replaces an open invitation to it' })
  @ApiData(InvitationDto, 'Created', 201)
  @ApiInvalid()
  @ApiConflictResponse({ type: ErrorBody, description: 'Already a member (`already_member`)' })
  async create(@Ctx() ctx: RequestContext, @Body() dto: CreateInvitationDto): Promise<{ data: InvitationDto; message: string }> {
    const v = await this.invitations.create(ctx, dto);
    return { data: InvitationDto.from(v.invitation, v.role), message: 'Invitation sent' };
  }

  @Get()
  @Authenticated()
  @Permissions('invitations.view')
  @ApiOperation({ summary: "The organization's invitations, newest first" })
  @ApiPage(InvitationDto)
  @ApiInvalid()
  async list(@Ctx() ctx: RequestContext, @Query() query: InvitationQueryDto): Promise<Page<InvitationDto>> {
    const page = await this.invitations.list(ctx, query);
    return { ...page, data: page.data.map((v) => InvitationDto.from(v.invitation, v.role)) };
  }

  @Get('token/:token')
  @Public()
  @RateLimit('auth')
  @ApiOperation({ summary: 'What an invitation link is for: organization, email, role, expiry (no sign-in needed)' })
  @ApiData(InvitationPreviewDto)
  @ApiNotFoundResponse({ type: ErrorBody, description: TOKEN_ERRORS })
  async preview(@Param('token') token: string): Promise<{ data: InvitationPreviewDto }> {
    const p = await this.acceptance.preview(token);
    return {
      data: {
        organization_name: p.organization.name,
        email: p.invitation.email,
        role: RoleRefDto.from(p.role),
        expires_at: p.invitation.expiresAt.toISOString(),
        account_exists: p.accountExists,
      },
    };
  }

  @Post('accept/:token')
  @Public()
  @RateLimit('auth')
  @ApiOperation({
    summary:
      'Accept: a new address sends first_name, last_name and password and gets an account; an existing account must send its bearer token',
  })
  @ApiData(AcceptedInvitationDto, 'Accepted', 201)
  @ApiInvalid()
  @ApiUnauthorizedResponse({ type: ErrorBody, description: 'The email has an account: sign in as it first (`sign_in_to_accept`)' })
  @ApiForbiddenResponse({
    type: ErrorBody,
    description:
      'Signed in as another account (`invitation_for_another_account`), signed in as the account but its address is not verified yet (`email_not_verified`), or member limit reached',
  })
  @ApiNotFoundResponse({ type: ErrorBody, description: TOKEN_ERRORS })
  @ApiConflictResponse({
    type: ErrorBody,
    description: `${TOKEN_ERRORS}; already a member (\`already_member\`); the email belongs to an account that has not verified it (\`email_held_unverified\`)`,
  })
  async accept(
    @Ctx() ctx: RequestContext,
    @Param('token') token: string,
    @Body() dto: AcceptInvitationDto,
  ): Promise<{ data: AcceptedInvitationDto; message: string }> {
    const a = await this.acceptance.accept(ctx, token, dto);
    return {
      data: {
        user_id: a.userId,
        organization_id: a.organization.id,
        organization_name: a.organization.name,
        role: RoleRefDto.from(a.role),
        account_created: a.accountCreated,
      },
      message: `Welcome to ${a.organization.name}`,
    };
  }

  @Get(':id')
  @Authenticated()
  @Permissions('invitations.view')
  @ApiOperation({ summary: 'One invitation' })
  @ApiData(InvitationDto)
  @ApiNotFoundResponse({ type: ErrorBody })
  async get(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<{ data: InvitationDto }> {
    const v = await this.invitations.get(ctx, id);
    return { data: InvitationDto.from(v.invitation, v.role) };
  }

  @Post('resend/:id')
  @HttpCode(200)
  @Authenticated()
  @Permissions('invitations.manage')
  @ApiOperation({
    summary: 'Mail a fresh link valid for seven more days; the previous link stops working',
    description: 'The path names the action first (`/invitations/resend/{id}`) so it can never be read as `/invitations/token/{token}`.',
  })
  @ApiData(InvitationDto)
  @ApiNotFoundResponse({ type: ErrorBody })
  @ApiConflictResponse({ type: ErrorBody, description: 'Already accepted (`invitation_used`) or already a member' })
  async resend(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<{ data: InvitationDto; message: string }> {
    const v = await this.invitations.resend(ctx, id);
    return { data: InvitationDto.from(v.invitation, v.role), message: 'Invitation sent again' };
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated()
  @Permissions('invitations.manage')
  @ApiOperation({ summary: 'Cancel an invitation; its link stops working' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorBody })
  async remove(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.invitations.remove(ctx, id);
  }
}
