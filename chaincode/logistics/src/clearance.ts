import { REVIEWERS } from './access';
import {
  AUTHORITIES,
  AUTHORITY_ROLES,
  type Approval,
  type Authority,
  type DocRecord,
  type DocType,
  type PortCall,
  type PortCallStatus,
} from './model';

/** The authority an (MSP, role) acts as, if any. */
export function authorityOf(mspId: string, role: string | undefined): Authority | undefined {
  return AUTHORITIES.find((a) => AUTHORITY_ROLES[a].mspId === mspId && AUTHORITY_ROLES[a].role === role);
}

/** Authorities that have not (or no longer) approved the call, in a fixed order. */
export function missingApprovals(approvals: PortCall['approvals']): Authority[] {
  return AUTHORITIES.filter((a) => !approvals[a]);
}

/** The document versions an approval covers: every form present when the authority decided. */
export function approvedVersions(documents: PortCall['documents']): Approval['documents'] {
  return Object.fromEntries(Object.entries(documents).map(([type, doc]) => [type, doc.version]));
}

/**
 * An amendment of `docType` restarts the review of the authorities it concerns: their approvals
 * are withdrawn, the others stand.
 */
export function withdrawFor(
  docType: DocType,
  approvals: PortCall['approvals'],
): { approvals: PortCall['approvals']; withdrawn: Authority[] } {
  const concerned = REVIEWERS[docType];
  const kept: PortCall['approvals'] = {};
  const withdrawn: Authority[] = [];
  for (const [authority, approval] of Object.entries(approvals)) {
    if (concerned.includes(authority as Authority)) withdrawn.push(authority as Authority);
    else kept[authority] = approval;
  }
  return { approvals: kept, withdrawn: withdrawn.sort() };
}

/**
 * The call once a form is submitted or amended and moved to `status` (see amendmentMachine): the
 * form replaces its previous version and the approvals of its reviewers are withdrawn. A permit
 * (only a PERMIT_ISSUED call can be amended and have one) is withdrawn: every form has reviewers.
 */
export function withDocument(
  call: PortCall,
  doc: DocRecord,
  status: PortCallStatus,
): { call: PortCall; withdrawn: Authority[]; withdrawnPermit?: string } {
  const { approvals, withdrawn } = withdrawFor(doc.docType as DocType, call.approvals);
  const { permit, ...rest } = call;
  return {
    call: { ...rest, status, approvals, documents: { ...call.documents, [doc.docType]: doc } },
    withdrawn,
    ...(permit ? { withdrawnPermit: permit.permitId } : {}),
  };
}
