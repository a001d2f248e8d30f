/**
 * The security suites' cast: one real CA-enrolled identity per (org, role) of network/topology.yaml, plus
 * one identity with no role per org, enrolled once per run and reused across transactions. Org admins are
 * the admins `up` enrolled (role=admin). Identity-bound roles carry the attributes their chaincodes read
 * (residentId, vehicleId, buildingId, meterId), so a refusal is about the role, not a missing attribute.
 */
import { freshVin } from '../support/schema-sample';
import { enrolUser, network, orgAdmin, TestUser } from '../support/live';

export interface CastMember {
  /** `MSP:role`, or `MSP:(none)` for the identity without a role. */
  label: string;
  mspId: string;
  role?: string;
  user: TestUser;
}

export interface CastOptions {
  run: string;
  /** The residentId City residents and devices of the cast carry (bound to the cast's City resident). */
  residentId: string;
}

export const NO_ROLE = '(none)';

export function attributesFor(role: string, o: CastOptions): Record<string, string> {
  switch (role) {
    case 'resident':
    case 'device':
      return { role, residentId: o.residentId };
    case 'vehicle':
      return { role, vehicleId: freshVin() };
    case 'building':
      return { role, buildingId: `sec-bldg-${o.run}` };
    case 'meter':
      return { role, buildingId: `sec-bldg-${o.run}`, meterId: `sec-meter-${o.run}` };
    default:
      return { role };
  }
}

/** Enrols the cast: each org's CA in parallel, one enrolment at a time per CA. */
export async function enrolCast(o: CastOptions): Promise<CastMember[]> {
  const orgs = network().topology.orgs;
  const perOrg = await Promise.all(
    orgs.map(async (org) => {
      const members: CastMember[] = [];
      for (const role of org.roles) {
        const user =
          role === 'admin'
            ? orgAdmin(org.name)
            : await enrolUser(org.name, `sec-${role}-${o.run}`, attributesFor(role, o));
        members.push({ label: `${org.mspId}:${role}`, mspId: org.mspId, role, user });
      }
      const nobody = await enrolUser(org.name, `sec-norole-${o.run}`, {});
      members.push({ label: `${org.mspId}:${NO_ROLE}`, mspId: org.mspId, user: nobody });
      return members;
    }),
  );
  return perOrg.flat();
}
