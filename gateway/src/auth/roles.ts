import { Problem } from '../problem';

/**
 * Which roles may do what at the gateway itself (the chaincodes decide their own transactions). Role
 * names are those of network/topology.yaml and the chaincodes' "Identities" tables.
 */

/** Certificate attributes the gateway sets at registration (chaincode/common reads them from the cert). */
export const USER_ATTRIBUTES = ['residentId', 'vehicleId', 'buildingId', 'meterId'] as const;
export type UserAttribute = (typeof USER_ATTRIBUTES)[number];

/**
 * The roles each attribute belongs to (chaincode/*\/README.md "Identities"): a resident and the devices
 * bound to one (medical scales) carry `residentId`; a building and its meters `buildingId`; a meter
 * `meterId`; a vehicle its VIN. On any other role the attribute is a claim nobody checks at
 * registration that some chaincode may honour later (a police certificate "being" resident R-1).
 */
export const ATTRIBUTE_ROLES: Readonly<Record<UserAttribute, readonly string[]>> = {
  residentId: ['resident', 'device'],
  vehicleId: ['vehicle'],
  buildingId: ['building', 'meter'],
  meterId: ['meter'],
};

/** The attribute a role cannot act without. */
export const REQUIRED_ATTRIBUTE: Readonly<Record<string, UserAttribute | undefined>> = {
  resident: 'residentId',
  vehicle: 'vehicleId',
  building: 'buildingId',
  meter: 'meterId',
};

/**
 * Roles that are data subjects (or their things): a resident, a vehicle, a building, a meter, a device
 * bound to a resident. The org-wide feeds (SSE events, read tables, webhooks) carry every event of the
 * org's channels, e.g. every patient's ConsentCreated {patientId}, which the chaincodes refuse such a
 * caller to read one by one. They get their own data through the chaincodes' own reads instead.
 */
export const SUBJECT_ROLES: ReadonlySet<string> = new Set(['resident', 'vehicle', 'building', 'meter', 'device']);

export function mayUseOrgFeeds(p: { role: string; isAdmin: boolean }): boolean {
  return p.isAdmin || !SUBJECT_ROLES.has(p.role);
}

/** Refuses the org-wide feeds to subject roles: 403 FEED_NOT_ALLOWED (admins and staff roles pass). */
export function requireOrgFeeds(p: { role: string; isAdmin: boolean }): void {
  if (!mayUseOrgFeeds(p))
    throw new Problem(403, 'FEED_NOT_ALLOWED', `role ${p.role} may not read the org-wide event feeds (events, read tables, webhooks)`);
}

/**
 * Who may read any vehicle's raw telemetry (GPS and all), by MSP and role: those who investigate or
 * insure crashes (chaincode/mobility: City police, Insurer insurers, adjusters and repair shops). The
 * admins of those two orgs too: each may already enrol such a user (and the City admin issues the
 * vehicles' own keys), so refusing them would protect nothing. A vehicle reads its own readings.
 */
export const TELEMETRY_READERS: Readonly<Record<string, readonly string[]>> = {
  CityMSP: ['police', 'admin'],
  InsurerMSP: ['insurer', 'adjuster', 'repair-shop', 'admin'],
};

export function mayReadTelemetryOf(p: { mspId: string; role: string; attrs: Record<string, string> }, vehicleId: string): boolean {
  if (p.role === 'vehicle') return p.attrs.vehicleId === vehicleId;
  return TELEMETRY_READERS[p.mspId]?.includes(p.role) ?? false;
}
