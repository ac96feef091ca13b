import { Body, Controller, Put } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllowRestricted, ApiInvalid, Authenticated, Ctx, ErrorBody, type RequestContext } from '@atrium/platform';
import { LoginResponseDto } from '../sign-in/dto/login.dto.js';
import { SwitchOrganizationDto } from './dto/switch-organization.dto.js';
import { OrganizationSwitchService } from './organization-switch.service.js';

@ApiTags('organizations')
@Authenticated()
@AllowRestricted()
@Controller('organizations')
export class OrganizationSwitchController {
  constructor(private readonly switcher: OrganizationSwitchService) {}

  @Put('switch')
  @ApiOperation({
    summary: 'New access and refresh tokens acting for another of your organizations; the current tokens stop working',
  })
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiInvalid()
  @ApiNotFoundResponse({ type: ErrorBody, description: 'You are not an active member of that organization (`organization_not_found`)' })
  switch(@Ctx() ctx: RequestContext, @Body() dto: SwitchOrganizationDto): Promise<LoginResponseDto> {
    return this.switcher.switchTo(ctx, dto.organization_id);
  }
}
