import { Type, type Static } from '@sinclair/typebox';
import type { Context } from 'fabric-contract-api';
import { CityContract, Evaluate, Id, Submit, emit, failedPrecondition, invalidArgument, txTime } from '@cityledger/chaincode-common';
import { requireBuildingViewer, requireOperator, requireUtility } from './access';
import {
  BuildingSchema, MarketConfigSchema, MeterSchema, RegisterBuildingInput, RegisterMeterInput, TariffsSchema,
  type Building, type MarketConfig, type Meter, type Tariffs,
} from './model';
import { buildings, marketConfig, meters, tariffs } from './store';

const ConfigView = Type.Object({ market: Type.Union([MarketConfigSchema, Type.Null()]), tariffs: Type.Union([TariffsSchema, Type.Null()]) });

/** Who takes part in the energy market and on what terms. */
export class RegistryContract extends CityContract {
  constructor() {
    super('registry');
  }

  @Submit({ description: 'Market operator: sets the interval length and the market fee (applies to intervals opened afterwards).', params: { config: MarketConfigSchema }, returns: MarketConfigSchema })
  async SetMarketConfig(ctx: Context, config: MarketConfig): Promise<MarketConfig> {
    requireOperator(ctx);
    if (1440 % config.intervalMinutes !== 0) throw invalidArgument('intervalMinutes must divide a day (1440)', { input: 'config', intervalMinutes: config.intervalMinutes });
    await marketConfig.put(ctx, { key: 'market', ...config });
    emit(ctx, 'MarketConfigSet', { ...config });
    return config;
  }

  @Submit({ description: 'Utility: sets its import (supply) and export (buy-back) tariffs in KRW/kWh (applies to intervals opened afterwards).', params: { tariffs: TariffsSchema }, returns: TariffsSchema })
  async SetTariffs(ctx: Context, input: Tariffs): Promise<Tariffs> {
    requireUtility(ctx);
    if (input.exportTariff > input.importTariff) {
      throw invalidArgument('exportTariff must not exceed importTariff', { input: 'tariffs', importTariff: input.importTariff, exportTariff: input.exportTariff });
    }
    await tariffs.put(ctx, { key: 'tariffs', ...input });
    emit(ctx, 'TariffsSet', { ...input });
    return input;
  }

  @Submit({ description: 'Market operator: registers a building (its certificates carry buildingId) and its neighbours for bilateral contracts.', params: { building: RegisterBuildingInput }, returns: BuildingSchema })
  async RegisterBuilding(ctx: Context, input: Static<typeof RegisterBuildingInput>): Promise<Building> {
    const who = requireOperator(ctx);
    if (input.neighbours.includes(input.buildingId)) throw invalidArgument('a building is not its own neighbour', { input: 'building' });
    const building: Building = { buildingId: input.buildingId, neighbours: [...input.neighbours].sort(), registeredAt: txTime(ctx).iso, registeredBy: who.key };
    await buildings.create(ctx, building);
    emit(ctx, 'BuildingRegistered', { buildingId: building.buildingId, neighbours: building.neighbours });
    return building;
  }

  @Submit({ description: 'Market operator: registers a smart meter (certificate attributes meterId, buildingId) with its installation registers.', params: { meter: RegisterMeterInput }, returns: MeterSchema })
  async RegisterMeter(ctx: Context, input: Static<typeof RegisterMeterInput>): Promise<Meter> {
    requireOperator(ctx);
    if (!(await buildings.exists(ctx, input.buildingId))) {
      throw failedPrecondition(`building ${input.buildingId} is not registered`, { reason: 'BUILDING_NOT_REGISTERED', buildingId: input.buildingId });
    }
    const meter: Meter = { ...input, registeredAt: txTime(ctx).iso };
    await meters.create(ctx, meter);
    emit(ctx, 'MeterRegistered', { meterId: meter.meterId, buildingId: meter.buildingId });
    return meter;
  }

  @Evaluate({ description: 'A registered building.', params: { buildingId: Id() }, returns: BuildingSchema })
  async GetBuilding(ctx: Context, buildingId: string): Promise<Building> {
    return buildings.require(ctx, buildingId);
  }

  @Evaluate({ description: 'A registered meter and its latest registers (operator, utility, its building).', params: { meterId: Id() }, returns: MeterSchema })
  async GetMeter(ctx: Context, meterId: string): Promise<Meter> {
    const meter = await meters.require(ctx, meterId);
    await requireBuildingViewer(ctx, meter.buildingId);
    return meter;
  }

  @Evaluate({ description: 'The market configuration and the utility tariffs (null until set).', returns: ConfigView })
  async GetConfig(ctx: Context): Promise<Static<typeof ConfigView>> {
    const m = await marketConfig.get(ctx, 'market');
    const t = await tariffs.get(ctx, 'tariffs');
    return {
      market: m ? { intervalMinutes: m.intervalMinutes, feeBps: m.feeBps } : null,
      tariffs: t ? { importTariff: t.importTariff, exportTariff: t.exportTariff } : null,
    };
  }
}
