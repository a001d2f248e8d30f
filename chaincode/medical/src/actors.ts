import type { Context } from 'fabric-contract-api';
import {
  assertCallerResidentActive,
  assertHolderCredential,
  assertResidentActive,
  forbidden,
  requireOrgRole,
  type Caller,
} from '@cityledger/chaincode-common';
import { DOCTOR_LICENCE, Devices, Doctor, Grantees, Resident, type Accessor } from './model';

/**
 * Who is calling, checked against the identity chaincode on channel `city` (a cross-channel query:
 * checked at endorsement, see chaincode-common's identity-check).
 */

/** A City CA resident acting on their own records (the patient); FORBIDDEN if not ACTIVE. */
export async function patient(ctx: Context): Promise<{ who: Caller; patientId: string }> {
  const who = requireOrgRole(ctx, Resident);
  const check = await assertCallerResidentActive(ctx);
  return { who, patientId: check.residentId };
}

/** A measuring device (City or Hospital CA) and the resident it is bound to, who must be ACTIVE. */
export async function device(ctx: Context): Promise<{ who: Caller; patientId: string }> {
  const who = requireOrgRole(ctx, ...Devices);
  if (!who.residentId)
    throw forbidden('device certificate is not bound to a resident', {
      reason: 'DEVICE_NOT_BOUND',
      attribute: 'residentId',
    });
  await assertResidentActive(ctx, who.residentId);
  return { who, patientId: who.residentId };
}

/** A doctor of the hospital holding an active doctor licence. */
export async function doctor(ctx: Context): Promise<Caller> {
  const who = requireOrgRole(ctx, Doctor);
  await assertHolderCredential(ctx, who.key, DOCTOR_LICENCE);
  return who;
}

/** Someone who may be granted access (doctor, insurer, adjuster); doctors need their licence. */
export async function grantee(ctx: Context): Promise<Caller> {
  const who = requireOrgRole(ctx, ...Grantees);
  if (who.mspId === Doctor.mspId && who.role === Doctor.role)
    await assertHolderCredential(ctx, who.key, DOCTOR_LICENCE);
  return who;
}

export function accessor(who: Caller): Accessor {
  return { mspId: who.mspId, enrollmentId: who.enrollmentId, role: who.role ?? '', key: who.key };
}

/** The caller is the patient `patientId` (City CA resident certificate with that residentId). */
export function isPatient(who: Caller, patientId: string): boolean {
  return who.mspId === Resident.mspId && who.role === Resident.role && who.residentId === patientId;
}
