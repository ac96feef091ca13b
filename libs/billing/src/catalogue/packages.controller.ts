import { Controller, Get, Param } from '@nestjs/common';
import { ApiExtraModels, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { ApiData, ErrorBody, Public } from '@atrium/platform';
import { FeatureDto, PackageDto } from './dto/package.dto.js';
import { PackageCatalogueService } from './package-catalogue.service.js';

const listOf = (dto: new () => unknown) => ({
  schema: { type: 'object', properties: { data: { type: 'array', items: { $ref: getSchemaPath(dto) } } } },
});

@ApiTags('packages')
@ApiExtraModels(PackageDto, FeatureDto)
@Public()
@Controller('packages')
export class PackagesController {
  constructor(private readonly catalogue: PackageCatalogueService) {}

  @Get()
  @ApiOperation({ summary: 'The packages on sale with their prices per period and features (public, for pricing pages)' })
  @ApiOkResponse(listOf(PackageDto))
  async list(): Promise<{ data: PackageDto[] }> {
    return { data: await this.catalogue.list() };
  }

  @Get('features')
  @ApiOperation({ summary: 'Every feature, the packages including it, and its add-on price when it can be bought alone' })
  @ApiOkResponse(listOf(FeatureDto))
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
