import { Controller, Get, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiData, ApiList, ErrorBody, Public } from '@atrium/platform';
import { FeatureDto, PackageDto } from './dto/package.dto.js';
import { PackageCatalogueService } from './package-catalogue.service.js';

@ApiTags('packages')
@Public()
@Controller('packages')
export class PackagesController {
  constructor(private readonly catalogue: PackageCatalogueService) {}

  @Get()
  @ApiOperation({ summary: 'The packages on sale with their prices per period and features (public, for pricing pages)' })
  @ApiList(PackageDto)
  async list(): Promise<{ data: PackageDto[] }> {
    return { data: await this.catalogue.list() };
  }

  @Get('features')
  @ApiOperation({ summary: 'Every feature, the packages including it, and its add-on price when it can be bought alone' })
  @ApiList(FeatureDto)
  async features(): Promise<{ data: FeatureDto[] }> {
    return { data: await this.catalogue.features() };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One package' })
  @ApiData(PackageDto)
  @ApiNotFoundResponse({ type: ErrorBody })
  async get(@Param('id') id: string): Promise<{ data: PackageDto }> {
    return { data: await this.catalogue.get(/^\d{1,9}$/.test(id) ? Number(id) : NaN) };
  }
}
