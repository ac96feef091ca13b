import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { notFound } from '@atrium/platform';
import { FeatureDto, PackageDto, PackageFeatureDto, PriceDto } from './dto/package.dto.js';
import { Feature } from './feature.entity.js';
import { Package, PackageFeature, PackagePrice } from './package.entity.js';

/** Reads the package catalogue (global, not tenant-owned; seeded by migration). */
@Injectable()
export class PackageCatalogueService {
  constructor(private readonly dataSource: DataSource) {}

  /** Active packages, cheapest first, each with its prices and included features. */
  async list(): Promise<PackageDto[]> {
    const packages = await this.dataSource.getRepository(Package).find({ where: { active: true }, order: { sortOrder: 'ASC' } });
    return this.describe(packages);
  }

  /** One package by id (retired ones too, so a subscription can always show its package). */
  async get(id: number): Promise<PackageDto> {
    const pkg = Number.isSafeInteger(id) && id > 0 ? await this.dataSource.getRepository(Package).findOne({ where: { id } }) : null;
    if (!pkg) throw notFound('Package');
    return (await this.describe([pkg]))[0];
  }

  /** Every feature with the packages that include it and its add-on price. */
  async features(): Promise<FeatureDto[]> {
    const [features, links, packages] = await Promise.all([
      this.dataSource.getRepository(Feature).find({ order: { sortOrder: 'ASC' } }),
      this.dataSource.getRepository(PackageFeature).find(),
      this.dataSource.getRepository(Package).find({ where: { active: true }, order: { sortOrder: 'ASC' } }),
    ]);
    return features.map((f) => {
      const withIt = new Set(
        links.filter((l) => l.featureId === f.id && (l.limitValue === null || l.limitValue > 0)).map((l) => l.packageId),
      );
      return FeatureDto.from(
        f,
        packages.filter((p) => withIt.has(p.id)).map((p) => p.slug),
      );
    });
  }

  private async describe(packages: Package[]): Promise<PackageDto[]> {
    const ids = packages.map((p) => p.id);
    if (!ids.length) return [];
    const [prices, links, features] = await Promise.all([
      this.dataSource.getRepository(PackagePrice).find({ where: { packageId: In(ids) }, order: { months: 'ASC' } }),
      this.dataSource.getRepository(PackageFeature).find({ where: { packageId: In(ids) } }),
      this.dataSource.getRepository(Feature).find({ order: { sortOrder: 'ASC' } }),
    ]);
    return packages.map((p) => {
      const included = new Map(links.filter((l) => l.packageId === p.id).map((l) => [l.featureId, l.limitValue]));
      return PackageDto.from(
        p,
        prices.filter((x) => x.packageId === p.id).map((x) => PriceDto.from(x)),
        features.filter((f) => included.has(f.id)).map((f) => PackageFeatureDto.from(f, included.get(f.id) ?? null)),
      );
    });
  }
}
