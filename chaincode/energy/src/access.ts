import type { Context } from 'fabric-contract-api';
import { caller, forbidden, requireOrgRole, type Caller } from '@cityledger/chaincode-common';
import { BuildingRole, MarketOperator, MeterRole, Utility, type Building, type Meter } from './model';
import { buildings, meters } from './store';

export const requireOperator = (ctx: Context): Caller => requireOrgRole(ctx, MarketOperator);
export const requireUtility = (ctx: Context): Caller => requireOrgRole(ctx, Utility);

/** The caller is a building (City CA, role building) registered under its buildingId attribute. */
export async function requireBuilding(ctx: Context): Promise<{ who: Caller; building: Building }> {
  const who = requireOrgRole(ctx, BuildingRole);
  if (!who.buildingId) throw forbidden('certificate attribute buildingId is required', { attribute: 'buildingId' });
  const building = await buildings.get(ctx, who.buildingId);
  if (!building) throw forbidden(`building ${who.buildingId} is not registered`, { reason: 'BUILDING_NOT_REGISTERED', buildingId: who.buildingId });
  return { who, building };
}

/** The caller is a meter (City CA, role meter) registered under its meterId and bound to its buildingId. */
export async function requireMeter(ctx: Context): Promise<{ who: Caller; meter: Meter }> {
  const who = requireOrgRole(ctx, MeterRole);
  if (!who.meterId || !who.buildingId) throw forbidden('certificate attributes meterId and buildingId are required', { attribute: who.meterId ? 'buildingId' : 'meterId' });
  const meter = await meters.get(ctx, who.meterId);
  if (!meter) throw forbidden(`meter ${who.meterId} is not registered`, { reason: 'METER_NOT_REGISTERED', meterId: who.meterId });
  if (meter.buildingId !== who.buildingId) {
    throw forbidden(`meter ${who.meterId} is not bound to building ${who.buildingId}`, { reason: 'METER_NOT_BOUND', meterId: who.meterId });
  }
  return { who, meter };
}

/**
 * Who may read a building's readings, orders, trades, balance and certificates: itself, its meters, the
 * operator and the utility. A meter counts as the building's only as the registry binds it (as for
 * its readings), not by its certificate's buildingId claim.
 */
export async function requireBuildingViewer(ctx: Context, buildingId: string): Promise<Caller> {
  const who = caller(ctx);
  const staff = who.mspId === MarketOperator.mspId && (who.role === MarketOperator.role || who.role === Utility.role);
  const own = who.mspId === BuildingRole.mspId && (who.role === BuildingRole.role || who.role === MeterRole.role) && who.buildingId === buildingId;
  if (!staff && !own) throw forbidden(`only building ${buildingId}, the market operator and the utility may see this`, { buildingId });
  if (!staff && who.role === MeterRole.role) await requireMeter(ctx);
  return who;
}

/** Accounts: a building's own account for the building; every account for the operator and the utility. */
export async function requireAccountViewer(ctx: Context, account: string): Promise<Caller> {
  if (account.startsWith('building:')) return requireBuildingViewer(ctx, account.slice('building:'.length));
  return requireOrgRole(ctx, MarketOperator, Utility);
}
