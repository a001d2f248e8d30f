/**
 * Who may call each state-changing transaction, declared from each chaincode's README
 * (chaincode/<name>/README.md, "who" columns), independently of the chaincodes' code. The security sweep
 * checks that this table covers every SUBMIT transaction of the live metadata, then tries each
 * transaction as every (org, role) pair NOT listed here.
 *
 * `allowed` entries are `MSP:role`; a role only counts at its MSP. Relations (the agent of a call, the
 * holder of a bill, the patient of a consent, the issuing authority of a credential) are narrowed to the
 * roles that can hold them. ProbeContract (org admins) is in identity, mobility and energy only. `anyone` marks a transaction open to every caller by design (nobody to sweep).
 * `creates` marks a transaction that creates something from its input: there, with schema-valid input,
 * nothing but the caller stands in the way, so the refusal must be FORBIDDEN.
 */
export interface Permission {
  allowed: string[];
  anyone?: true;
  creates?: true;
  /** Where the README says more than roles (relations, conditions). */
  note?: string;
}

export type PermissionTable = Record<string, Permission>;

const ADMINS = ['CityMSP:admin', 'HospitalMSP:admin', 'InsurerMSP:admin', 'PortMSP:admin'];
/** chaincode-common's ProbeContract, in every chaincode: org admins only. */
const PROBE: PermissionTable = {
  'probe:Noop': { allowed: ADMINS },
  'probe:Put': { allowed: ADMINS, creates: true },
};

const REGISTRAR = 'CityMSP:registrar';
/** The sweep's credential type trusts City immigration officers (set up by the suite). */
const TRUSTED_ISSUER = 'CityMSP:immigration';

export const PERMISSIONS: Record<string, PermissionTable> = {
  identity: {
    'resident:RegisterResident': { allowed: [REGISTRAR], creates: true },
    'resident:BindResident': { allowed: [REGISTRAR] },
    'resident:LockResident': { allowed: ['CityMSP:resident', 'CityMSP:police'], note: 'resident: self only' },
    'resident:UnlockResident': {
      allowed: ['CityMSP:police', 'CityMSP:resident'],
      note: 'resident: self, only if self-locked',
    },
    'resident:SuspendResident': { allowed: [REGISTRAR] },
    'resident:ReinstateResident': { allowed: [REGISTRAR] },
    'resident:RecordDeath': { allowed: [REGISTRAR] },
    'issuer:SetTrustedIssuer': { allowed: [REGISTRAR, 'CityMSP:admin'], creates: true },
    'issuer:RemoveTrustedIssuer': { allowed: [REGISTRAR, 'CityMSP:admin'] },
    'credential:IssueCredential': {
      allowed: [TRUSTED_ISSUER],
      creates: true,
      note: 'a trusted issuer of the type (the sweep type trusts City immigration only)',
    },
    'credential:SuspendCredential': {
      allowed: [TRUSTED_ISSUER, 'CityMSP:resident', REGISTRAR, 'CityMSP:admin'],
      note: 'the issuing authority, the holder, or the City',
    },
    'credential:ReinstateCredential': {
      allowed: [TRUSTED_ISSUER, 'CityMSP:resident', REGISTRAR, 'CityMSP:admin'],
      note: 'whoever suspended it: the issuing authority while still trusted, the holder, or the City',
    },
    'credential:RevokeCredential': {
      allowed: [TRUSTED_ISSUER, REGISTRAR, 'CityMSP:admin'],
      note: 'the issuing authority or the City',
    },
    'credential:ExpireCredential': {
      allowed: [TRUSTED_ISSUER, 'CityMSP:resident', REGISTRAR, 'CityMSP:admin'],
      note: 'the issuing authority, the holder or the City, once tx time >= validUntil',
    },
    'birth:AttestBirth': { allowed: ['HospitalMSP:birth-attestor'], creates: true },
    'birth:IssueBirthCertificate': { allowed: [REGISTRAR], creates: true },
    ...PROBE,
  },
  medical: {
    ...PROBE,
    'observation:RecordObservations': {
      allowed: ['CityMSP:device', 'HospitalMSP:device'],
      creates: true,
      note: 'a device bound to an ACTIVE resident',
    },
    'observation:EraseObservations': { allowed: ['CityMSP:resident'], note: 'the patient' },
    'observation:IndexWatchedObservations': {
      allowed: ['CityMSP:admin', 'HospitalMSP:admin'],
      creates: true,
      note: 'an upgrade step: any patient id, so only the caller stands in the way',
    },
    'consent:CreateConsent': {
      allowed: ['CityMSP:resident', 'HospitalMSP:doctor', 'InsurerMSP:insurer', 'InsurerMSP:adjuster'],
      creates: true,
      note: 'the patient; doctor/insurer/adjuster: a DRAFT permit naming its own org',
    },
    'consent:ActivateConsent': { allowed: ['CityMSP:resident'], note: 'the patient' },
    'consent:RejectConsent': { allowed: ['CityMSP:resident'], note: 'the patient' },
    'consent:RevokeConsent': { allowed: ['CityMSP:resident'], note: 'the patient' },
    'consent:MarkConsentEnteredInError': {
      allowed: ['CityMSP:resident', 'HospitalMSP:doctor', 'InsurerMSP:insurer', 'InsurerMSP:adjuster'],
      note: 'the patient, or the author of its own DRAFT',
    },
    'access:RequestAccess': {
      allowed: ['HospitalMSP:doctor', 'InsurerMSP:insurer', 'InsurerMSP:adjuster'],
      creates: true,
      note: 'doctor with an active licence',
    },
    'access:BreakGlass': { allowed: ['HospitalMSP:doctor'], creates: true, note: 'licensed doctor' },
  },
  mobility: {
    'vehicle:RegisterVehicle': { allowed: [REGISTRAR], creates: true },
    'vehicle:TransferVehicle': { allowed: [REGISTRAR] },
    'insurance:IssuePolicy': { allowed: ['InsurerMSP:insurer'], creates: true },
    'insurance:CancelPolicy': { allowed: ['InsurerMSP:insurer'], note: 'the issuing insurer' },
    'insurance:ApproveRepairShop': { allowed: ['InsurerMSP:insurer'], creates: true },
    'insurance:RevokeRepairShop': { allowed: ['InsurerMSP:insurer'] },
    'insurance:AppointAdjuster': { allowed: ['InsurerMSP:insurer'], creates: true },
    'insurance:DismissAdjuster': { allowed: ['InsurerMSP:insurer'] },
    'telemetry:AnchorWindow': { allowed: ['CityMSP:vehicle'], creates: true, note: 'the vehicle itself' },
    'crash:ReportCrash': {
      allowed: ['CityMSP:police', 'CityMSP:vehicle', 'CityMSP:resident'],
      creates: true,
      note: 'police, an involved vehicle, or the ACTIVE owner of one',
    },
    'crash:SealEvidence': { allowed: ['CityMSP:police'] },
    'claim:FileClaim': { allowed: ['CityMSP:resident'], creates: true, note: 'the policy holder' },
    'claim:LinkEvidence': {
      allowed: ['CityMSP:resident', 'InsurerMSP:adjuster'],
      note: 'claimant or an appointed adjuster',
    },
    'claim:ConfirmTheft': { allowed: ['CityMSP:police'] },
    'claim:StartAssessment': { allowed: ['InsurerMSP:adjuster'] },
    'claim:DetermineFault': { allowed: ['InsurerMSP:adjuster'] },
    'claim:DisputeFault': { allowed: ['CityMSP:resident'], note: 'the claimant' },
    'claim:ApproveRepair': { allowed: ['InsurerMSP:adjuster'] },
    'claim:ApproveCash': { allowed: ['InsurerMSP:adjuster'] },
    'claim:RejectClaim': { allowed: ['InsurerMSP:adjuster'] },
    'claim:StartRepair': { allowed: ['InsurerMSP:repair-shop'] },
    'claim:CompleteRepair': { allowed: ['InsurerMSP:repair-shop'] },
    'claim:PayClaim': { allowed: ['InsurerMSP:insurer'] },
    'claim:CloseClaim': { allowed: ['InsurerMSP:insurer'] },
    'claim:ReferenceMedicalEvidence': { allowed: ['InsurerMSP:adjuster'] },
    'claim:AcknowledgeSettlement': { allowed: ['InsurerMSP:insurer'], note: 'the owing insurer' },
    ...PROBE,
  },
  energy: {
    'registry:SetMarketConfig': { allowed: ['CityMSP:market-operator'], creates: true },
    'registry:SetTariffs': { allowed: ['CityMSP:utility'], creates: true },
    'registry:RegisterBuilding': { allowed: ['CityMSP:market-operator'], creates: true },
    'registry:RegisterMeter': { allowed: ['CityMSP:market-operator'], creates: true },
    'funds:Mint': { allowed: ['CityMSP:utility'], creates: true },
    'funds:Burn': {
      allowed: ['CityMSP:building', 'CityMSP:utility', 'CityMSP:market-operator'],
      note: "the account's owner",
    },
    'market:OpenInterval': { allowed: ['CityMSP:market-operator'], creates: true },
    'market:PlaceOrder': { allowed: ['CityMSP:building'], creates: true },
    'market:CancelOrder': { allowed: ['CityMSP:building'], note: 'the building that placed it' },
    'market:ProposeBilateral': { allowed: ['CityMSP:building'], creates: true, note: 'the seller' },
    'market:AcceptBilateral': { allowed: ['CityMSP:building'], note: 'the named buyer' },
    'market:CloseGate': { allowed: ['CityMSP:market-operator'] },
    'market:Clear': { allowed: ['CityMSP:market-operator'] },
    'metering:SubmitReading': { allowed: ['CityMSP:meter'], creates: true },
    'metering:MarkMetered': { allowed: ['CityMSP:market-operator'] },
    'settlement:Settle': { allowed: ['CityMSP:market-operator'] },
    ...PROBE,
  },
  logistics: {
    ...PROBE,
    'portcall:Announce': { allowed: ['PortMSP:agent'], creates: true },
    'portcall:SubmitDocument': { allowed: ['PortMSP:agent'], note: 'the agent of the call' },
    'portcall:Declare': { allowed: ['PortMSP:agent'], note: 'the agent of the call' },
    'portcall:Approve': {
      allowed: ['CityMSP:customs', 'CityMSP:immigration', 'CityMSP:quarantine', 'PortMSP:port-authority'],
    },
    'portcall:Reject': {
      allowed: ['CityMSP:customs', 'CityMSP:immigration', 'CityMSP:quarantine', 'PortMSP:port-authority'],
    },
    'portcall:IssuePermit': { allowed: ['PortMSP:port-authority'] },
    'portcall:Cancel': { allowed: ['PortMSP:agent', 'PortMSP:port-authority'], note: 'agent of the call' },
    'portcall:RecordTime': {
      allowed: ['PortMSP:agent', 'PortMSP:carrier', 'PortMSP:port-authority', 'PortMSP:terminal'],
      note: 'by classifier',
    },
    'portcall:Arrive': { allowed: ['PortMSP:port-authority'] },
    'portcall:Berth': { allowed: ['PortMSP:port-authority', 'PortMSP:terminal'] },
    'portcall:StartWork': { allowed: ['PortMSP:terminal'] },
    'portcall:ClearDeparture': { allowed: ['PortMSP:port-authority'] },
    'portcall:Depart': { allowed: ['PortMSP:port-authority'] },
    'cargo:RegisterConsignment': {
      allowed: ['PortMSP:agent', 'PortMSP:carrier'],
      creates: true,
      note: 'agent of the call or a carrier',
    },
    'cargo:RecordContainerEvent': { allowed: ['PortMSP:terminal', 'PortMSP:trucker'], note: 'by event type' },
    'bl:DraftBillOfLading': { allowed: ['PortMSP:carrier'], creates: true },
    'bl:IssueBillOfLading': { allowed: ['PortMSP:carrier'], note: 'the issuer' },
    'bl:TransferBillOfLading': { allowed: [], note: 'the current holder only (a party key, any enrolment)' },
    'bl:SurrenderBillOfLading': { allowed: [], note: 'the current holder only (a party key, any enrolment)' },
    'bl:AmendBillOfLading': { allowed: ['PortMSP:carrier'], note: 'the issuer' },
  },
};
