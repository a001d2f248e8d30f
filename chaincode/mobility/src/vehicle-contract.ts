import type { Static } from '@sinclair/typebox';
import type { Context } from 'fabric-contract-api';
import {
  CityContract,
  Evaluate,
  Id,
  Submit,
  assertResidentActive,
  emit,
  requireOrgRole,
  txTime,
} from '@cityledger/chaincode-common';
import { Reason, RegisterVehicleInput, VehicleSchema, Vin, type Vehicle } from './model';
import { Registrar } from './actors';
import { vehicles } from './store';

/**
 * The vehicle registry (City registrar): a VIN and its owner. The vehicle acts with its own City CA
 * certificate (role `vehicle`, attribute vehicleId = VIN).
 */
export class VehicleContract extends CityContract {
  constructor() {
    super('vehicle');
  }

  @Submit({
    description: 'Register a vehicle and its owner (City registrar; the owner must be an ACTIVE resident).',
    params: { input: RegisterVehicleInput },
    returns: VehicleSchema,
  })
  async RegisterVehicle(ctx: Context, input: Static<typeof RegisterVehicleInput>): Promise<Vehicle> {
    requireOrgRole(ctx, Registrar);
    await assertResidentActive(ctx, input.ownerId);
    const now = txTime(ctx).iso;
    const vehicle: Vehicle = { ...input, registeredAt: now, updatedAt: now };
    await vehicles.create(ctx, vehicle);
    emit(ctx, 'VehicleRegistered', { vin: vehicle.vin });
    return vehicle;
  }

  @Submit({
    description:
      'Record a change of owner (City registrar; the new owner must be an ACTIVE resident). Existing policies keep their holder.',
    params: { vin: Vin(), ownerId: Id(), reason: Reason },
    returns: VehicleSchema,
  })
  async TransferVehicle(ctx: Context, vin: string, ownerId: string, _reason: string): Promise<Vehicle> {
    requireOrgRole(ctx, Registrar);
    const vehicle = await vehicles.require(ctx, vin);
    await assertResidentActive(ctx, ownerId);
    const updated: Vehicle = { ...vehicle, ownerId, updatedAt: txTime(ctx).iso };
    await vehicles.put(ctx, updated);
    emit(ctx, 'VehicleTransferred', { vin });
    return updated;
  }

  @Evaluate({ description: 'A registered vehicle.', params: { vin: Vin() }, returns: VehicleSchema })
  async GetVehicle(ctx: Context, vin: string): Promise<Vehicle> {
    return vehicles.require(ctx, vin);
  }
}
