import type { Context } from 'fabric-contract-api';
import { forbidden } from './errors';

/**
 * Certificate attributes the consortium's CAs put into enrolment certificates (`ecert: true`).
 * Read them only through ctx.clientIdentity, never from arguments.
 */
export const Attributes = {
  role: 'role',
  residentId: 'residentId',
  vehicleId: 'vehicleId',
  buildingId: 'buildingId',
  meterId: 'meterId',
  /** Added by Fabric CA to every enrolment certificate. */
  enrollmentId: 'hf.EnrollmentID',
} as const;

export interface Caller {
  mspId: string;
  /** Fabric CA enrolment id (hf.EnrollmentID, falling back to the certificate's CN). */
  enrollmentId: string;
  /** Unique across the consortium: `<mspId>/<enrollmentId>`. */
  key: string;
  /** x509::subject::issuer as Fabric reports it. */
  id: string;
  role?: string;
  residentId?: string;
  vehicleId?: string;
  buildingId?: string;
  meterId?: string;
  attr(name: string): string | undefined;
}

export function caller(ctx: Context): Caller {
  const ci = ctx.clientIdentity;
  const attr = (name: string): string | undefined => {
    const v = ci.getAttributeValue(name);
    return v === null || v === undefined || v === '' ? undefined : String(v);
  };
  const id = ci.getID();
  const mspId = ci.getMSPID();
  const enrollmentId = attr(Attributes.enrollmentId) ?? commonName(id);
  return {
    mspId,
    enrollmentId,
    key: `${mspId}/${enrollmentId}`,
    id,
    role: attr(Attributes.role),
    residentId: attr(Attributes.residentId),
    vehicleId: attr(Attributes.vehicleId),
    buildingId: attr(Attributes.buildingId),
    meterId: attr(Attributes.meterId),
    attr,
  };
}

function commonName(id: string): string {
  const subject = id.split('::')[1] ?? '';
  const match = /\/CN=([^/]*)/.exec(subject);
  return match ? match[1] : id;
}

/** Throws FORBIDDEN unless the caller's `role` attribute is one of `roles`. */
export function requireRole(ctx: Context, ...roles: string[]): Caller {
  const who = caller(ctx);
  if (!who.role || !roles.includes(who.role)) {
    throw forbidden(`role ${who.role ?? '(none)'} may not do this`, {
      required: roles,
      role: who.role ?? null,
    });
  }
  return who;
}

/** Throws FORBIDDEN unless the caller belongs to one of the MSPs. */
export function requireMsp(ctx: Context, ...mspIds: string[]): Caller {
  const who = caller(ctx);
  if (!mspIds.includes(who.mspId)) {
    throw forbidden(`organisation ${who.mspId} may not do this`, { required: mspIds, mspId: who.mspId });
  }
  return who;
}

/** An (MSP, role) pair: roles are only meaningful within the org whose CA issued them. */
export interface OrgRole {
  mspId: string;
  role: string;
}

/** Throws FORBIDDEN unless the caller holds one of the (MSP, role) pairs. */
export function requireOrgRole(ctx: Context, ...allowed: OrgRole[]): Caller {
  const who = caller(ctx);
  if (!allowed.some((a) => a.mspId === who.mspId && a.role === who.role)) {
    throw forbidden(`${who.mspId} ${who.role ?? '(no role)'} may not do this`, {
      required: allowed.map((a) => `${a.mspId}:${a.role}`),
      mspId: who.mspId,
      role: who.role ?? null,
    });
  }
  return who;
}

/** Throws FORBIDDEN unless the caller's certificate carries `name`; returns its value. */
export function requireAttribute(ctx: Context, name: string): string {
  const value = caller(ctx).attr(name);
  if (value === undefined) throw forbidden(`certificate attribute ${name} is required`, { attribute: name });
  return value;
}
