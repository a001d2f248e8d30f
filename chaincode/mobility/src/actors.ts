import type { Context } from 'fabric-contract-api';
import { assertCallerResidentActive, caller, forbidden, type Caller, type OrgRole } from '@cityledger/chaincode-common';
import type { Claim, PartnerKind } from './model';
import { partners } from './store';

// Organisations and the (MSP, role) pairs this chaincode gives powers to.
export const CITY = 'CityMSP';
export const INSURER = 'InsurerMSP';
export const Registrar: OrgRole = { mspId: CITY, role: 'registrar' };
export const Police: OrgRole = { mspId: CITY, role: 'police' };
export const Resident: OrgRole = { mspId: CITY, role: 'resident' };
export const VehicleRole: OrgRole = { mspId: CITY, role: 'vehicle' };
export const Insurer: OrgRole = { mspId: INSURER, role: 'insurer' };
export const Adjuster: OrgRole = { mspId: INSURER, role: 'adjuster' };
export const RepairShop: OrgRole = { mspId: INSURER, role: 'repair-shop' };

/** Crash evidence is sealed only with the city's (police) and the insurers' peers endorsing. */
export const SEAL_ENDORSERS = [CITY, INSURER];

export const holds = (who: Caller, r: OrgRole): boolean => who.mspId === r.mspId && who.role === r.role;

/** The caller is a City CA resident certificate for `residentId`. */
export const isResident = (who: Caller, residentId: string): boolean =>
  holds(who, Resident) && who.residentId === residentId;

/** The caller is the vehicle itself (City CA `vehicle` certificate whose vehicleId is the VIN). */
export const isVehicle = (who: Caller, vin: string): boolean =>
  holds(who, VehicleRole) && who.vehicleId === vin;

/** `partnerId` is currently approved (repair shop) or appointed (adjuster) by `insurerId`. */
export async function isPartner(
  ctx: Context,
  insurerId: string,
  kind: PartnerKind,
  partnerId: string,
): Promise<boolean> {
  const p = await partners.get(ctx, insurerId, kind, partnerId);
  return p !== undefined && p.status === 'APPROVED';
}

/**
 * The caller's relations to a claim, the labels the claim steps are granted to:
 * claimant (the policy holder), police, insurer (the policy's), adjuster (appointed by that
 * insurer), assigned-adjuster (the one assessing), assigned-shop (the approved shop chosen).
 */
export async function claimActor(ctx: Context, claim: Claim): Promise<string[]> {
  const who = caller(ctx);
  const labels: string[] = [];
  if (isResident(who, claim.claimantId)) labels.push('claimant');
  if (holds(who, Police)) labels.push('police');
  if (holds(who, Insurer) && who.key === claim.insurerId) labels.push('insurer');
  if (holds(who, Adjuster) && (await isPartner(ctx, claim.insurerId, 'adjuster', who.key))) {
    labels.push('adjuster');
    if (who.key === claim.adjusterId) labels.push('assigned-adjuster');
  }
  if (
    holds(who, RepairShop) &&
    who.key === claim.decision?.shopId &&
    (await isPartner(ctx, claim.insurerId, 'repair-shop', who.key))
  ) {
    labels.push('assigned-shop');
  }
  return labels;
}

/**
 * Reads of claims and policies: the resident concerned (by its bound certificate: another one with the
 * same residentId attribute is not the resident), the insurer's organisation and the police.
 */
export async function requireReader(ctx: Context, residentId: string): Promise<Caller> {
  const who = caller(ctx);
  if (who.mspId === INSURER || holds(who, Police)) return who;
  if (isResident(who, residentId)) {
    await assertCallerResidentActive(ctx);
    return who;
  }
  throw forbidden('only the resident concerned, InsurerMSP or the police may read this', {
    mspId: who.mspId,
    role: who.role ?? null,
  });
}
