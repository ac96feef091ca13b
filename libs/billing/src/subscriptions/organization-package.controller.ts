import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiData, Authenticated, Ctx, Permissions, type RequestContext } from '@atrium/platform';
import { OrganizationPackageDto } from './dto/organization-package.dto.js';
import { OrganizationPackageService } from './organization-package.service.js';

@ApiTags('packages')
@Authenticated()
@Controller('organizations/me/package')
export class OrganizationPackageController {
  constructor(private readonly packages: OrganizationPackageService) {}

  @Get()
  @Permissions('billing.view')
  @ApiOperation({ summary: "The organization's package, subscription, add-ons, and each feature with its limit and usage" })
  @ApiData(OrganizationPackageDto)
  async get(@Ctx() ctx: RequestContext): Promise<{ data: OrganizationPackageDto }> {
    return { data: await this.packages.current(ctx) };
  }
}
