/**
 * The identity chaincode on the live network (issue 3, Bars), with real identities enrolled at each org's
 * Fabric CA: a City registrar sets up a trusted issuer and registers residents bound to their enrolments;
 * credentials are issued, verified, suspended, reinstated and revoked by the right identities and refused
 * to the wrong ones; birth registration is enforced by key-level endorsement at commit; a fraud lock stops
 * identity-bound actions (here and in another chaincode) and its unlock is audited; and the block holding
 * a credential issuance carries no claim value.
 *
 * Every id and every enrolment name is unique per run, so the suite passes repeatedly on the same ledger.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Contract, StatusCode } from '@hyperledger/fabric-gateway';
import {
  claimHash,
  Claims,
  CredentialDocument,
  documentHash,
  saltClaims,
  sha256hex,
  transient,
} from '../support/credentials';
import { chaincodeError, expectRefusal } from '../support/errors';
import { Committed, settledEverywhere, submitAs } from '../support/calls';
import { chaincodeEventsOf, fetchBlock } from '../support/ledger';
import {
  channelOf,
  closeConnections,
  contractAs,
  enrolUser,
  ensureNetwork,
  json,
  orgAdmin,
  TestUser,
} from '../support/live';

const run = randomUUID().slice(0, 8);
const channel = (chaincode = 'identity') => channelOf(chaincode);

// ---- calling the chaincode ------------------------------------------------------------------------

const contracts = new Map<string, Contract>();
function identity(user: TestUser, chaincode = 'identity'): Contract {
  const key = `${user.org}/${user.name}/${chaincode}`;
  let contract = contracts.get(key);
  if (!contract) {
    contract = contractAs(user, chaincode);
    contracts.set(key, contract);
  }
  return contract;
}

/** String parameters go as they are, everything else as JSON (chaincode-common's serializer). */
const arg = (a: unknown): string => (typeof a === 'string' ? a : JSON.stringify(a));

interface CallOptions {
  transient?: Record<string, unknown>;
  endorsingOrganizations?: string[];
  chaincode?: string;
}

/**
 * Endorses, orders and waits for the commit on every peer of the channel (support/calls' submitAs);
 * throws the gateway's error when the chaincode refuses. Tests here go on with other orgs' users, whose
 * peers must have the block (in CI a peer a block behind answered NOT_FOUND, or failed an endorsement
 * the test expected to succeed).
 */
const submit = <T>(
  user: TestUser,
  tx: string,
  args: unknown[],
  options: CallOptions = {},
): Promise<Committed<T>> => submitAs<T>(user, options.chaincode ?? 'identity', tx, args, options);

async function evaluate<T>(
  user: TestUser,
  tx: string,
  args: unknown[],
  options: CallOptions = {},
): Promise<T> {
  const bytes = await identity(user, options.chaincode).evaluate(tx, {
    arguments: args.map(arg),
    ...(options.transient ? { transientData: transient(options.transient) } : {}),
  });
  return json(bytes) as T;
}

// ---- what the chaincode returns (the parts these tests read) ---------------------------------------

interface Credential {
  credentialId: string;
  type: string;
  holderId: string;
  issuer: { mspId: string; role: string; key: string };
  documentHash: string;
  claimHashes: Record<string, string>;
  status: string;
  suspendedBy?: string;
  attestationId?: string;
}
interface Verification {
  valid: boolean;
  reason?: string;
  status?: string;
  claim?: string;
  credentialId: string;
}
interface Resident {
  residentId: string;
  status: string;
  enrollmentId?: string;
  lockedBy?: string;
  birthCertificateId?: string;
}
interface AuditEntry {
  action: string;
  by: string;
  role: string | null;
  txId: string;
  from?: string;
  to?: string;
  reason?: string;
}
interface Page<T> {
  items: T[];
  bookmark: string;
}

// ---- the cast --------------------------------------------------------------------------------------

const CITY = 'CityMSP';
const HOSPITAL = 'HospitalMSP';
const INSURER = 'InsurerMSP';
const credentialType = `residency-${run}`;
const residentIds = { alice: `res-alice-${run}`, bob: `res-bob-${run}`, carol: `res-carol-${run}` };

let registrar: TestUser; // City registrar: residents, trusted issuers, birth certificates
let issuer: TestUser; // City immigration officer, trusted issuer of `credentialType`
let issuer2: TestUser; // another immigration officer: the same issuing authority
let police: TestUser;
let utility: TestUser; // a City role with no right here
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let aliceImpostor: TestUser; // a City resident certificate claiming alice's residentId, other enrolment
let aliceDevice: TestUser; // a device bound to alice (residentId attribute), not alice
let attestor: TestUser; // Hospital birth-attestor
let insurer: TestUser; // another org
let portRegistrar: TestUser; // another org's certificate claiming the City's registrar role

/** A credential issued to `holderId` by `issuer`, with the document the holder keeps. */
async function issue(
  holderId: string,
  values: Record<string, string | number | boolean>,
  options: { by?: TestUser; type?: string; validUntil?: string } = {},
): Promise<{ committed: Committed<Credential>; document: CredentialDocument; claims: Claims }> {
  const { by = issuer, type = credentialType, validUntil } = options;
  const credentialId = `cred-${randomUUID()}`;
  const claims = saltClaims(values);
  const input = { credentialId, type, holderId, ...(validUntil ? { validUntil } : {}) };
  const committed = await submit<Credential>(by, 'credential:IssueCredential', [input], {
    transient: { claims },
  });
  const document: CredentialDocument = { ...input, issuer: `${by.mspId}/${by.name}`, claims };
  return { committed, document, claims };
}

const verify = (who: TestUser, document: CredentialDocument) =>
  evaluate<Verification>(who, 'credential:VerifyCredential', [document.credentialId], {
    transient: { document },
  });
const verifyClaim = (who: TestUser, credentialId: string, name: string, claim: unknown) =>
  evaluate<Verification>(who, 'credential:VerifyClaim', [credentialId, name], { transient: { claim } });
const getCredential = (who: TestUser, credentialId: string) =>
  evaluate<Credential>(who, 'credential:GetCredential', [credentialId]);
const getResident = (who: TestUser, residentId: string) =>
  evaluate<Resident>(who, 'resident:GetResident', [residentId]);

beforeAll(async () => {
  await ensureNetwork();
  // Orgs' CAs in parallel, each org's enrolments one after another.
  await Promise.all([
    (async () => {
      registrar = await enrolUser('city', `registrar-${run}`, { role: 'registrar' });
      issuer = await enrolUser('city', `immigration-${run}`, { role: 'immigration' });
      issuer2 = await enrolUser('city', `immigration2-${run}`, { role: 'immigration' });
      police = await enrolUser('city', `police-${run}`, { role: 'police' });
      utility = await enrolUser('city', `utility-${run}`, { role: 'utility' });
      alice = await enrolUser('city', `alice-${run}`, { role: 'resident', residentId: residentIds.alice });
      bob = await enrolUser('city', `bob-${run}`, { role: 'resident', residentId: residentIds.bob });
      carol = await enrolUser('city', `carol-${run}`, { role: 'resident', residentId: residentIds.carol });
      aliceImpostor = await enrolUser('city', `alice-other-${run}`, {
        role: 'resident',
        residentId: residentIds.alice,
      });
      aliceDevice = await enrolUser('city', `alice-phone-${run}`, {
        role: 'device',
        residentId: residentIds.alice,
      });
    })(),
    (async () => {
      attestor = await enrolUser('hospital', `attestor-${run}`, { role: 'birth-attestor' });
    })(),
    (async () => {
      insurer = await enrolUser('insurer', `insurer-${run}`, { role: 'insurer' });
    })(),
    (async () => {
      portRegistrar = await enrolUser('port', `registrar-${run}`, { role: 'registrar' });
    })(),
  ]);

  // The City registrar trusts City immigration officers for this run's credential type and registers the
  // residents, each bound to the enrolment they act with.
  const trusted = await submit<{ active: boolean }>(registrar, 'issuer:SetTrustedIssuer', [
    { credentialType, mspId: CITY, role: 'immigration' },
  ]);
  expect(trusted.result.active).toBe(true);
  for (const [residentId, user] of [
    [residentIds.alice, alice],
    [residentIds.bob, bob],
    [residentIds.carol, carol],
  ] as const) {
    const { result } = await submit<Resident>(registrar, 'resident:RegisterResident', [
      { residentId, enrollmentId: user.name },
    ]);
    expect(result).toMatchObject({ residentId, status: 'ACTIVE', enrollmentId: user.name });
  }
});

afterAll(() => {
  closeConnections();
});

describe('a credential through its life, as the right identities', () => {
  let document: CredentialDocument;
  let claims: Claims;
  const transitions: Committed<Credential>[] = [];

  it('is issued by a trusted issuer with the claims in the transient map: the ledger keeps their hashes only', async () => {
    expect(await evaluate<boolean>(issuer, 'issuer:CanIssue', [credentialType])).toBe(true);
    expect(await evaluate<boolean>(police, 'issuer:CanIssue', [credentialType])).toBe(false);

    const issued = await issue(residentIds.alice, {
      fullName: `Alice ${run}`,
      birthDate: '1990-04-01',
      city: 'Busan',
      'bornBefore2007-11-25': true,
    });
    ({ document, claims } = issued);
    const credential = issued.committed.result;
    transitions.push(issued.committed);
    expect(credential).toMatchObject({
      credentialId: document.credentialId,
      type: credentialType,
      holderId: residentIds.alice,
      status: 'ACTIVE',
      issuer: { mspId: CITY, role: 'immigration', key: `${CITY}/${issuer.name}` },
    });
    // The hashes are the ones the holder computes off-chain from the document it keeps.
    expect(credential.documentHash).toBe(documentHash(document));
    expect(credential.claimHashes).toEqual(
      Object.fromEntries(Object.entries(claims).map(([name, c]) => [name, claimHash(name, c)])),
    );
    // Any member reads the same record from its own peer, and it is listed under the holder.
    expect(await getCredential(insurer, document.credentialId)).toEqual(credential);
    const held = await evaluate<Page<Credential>>(alice, 'credential:ListHolderCredentials', [
      residentIds.alice,
      100,
      '',
    ]);
    expect(held.items.map((c) => c.credentialId)).toContain(document.credentialId);
  });

  it('verifies for anyone: the whole document, or one claim without the others; tampering is reported', async () => {
    // A verifier from another organisation.
    expect(await verify(insurer, document)).toMatchObject({
      valid: true,
      status: 'ACTIVE',
      holderId: residentIds.alice,
      type: credentialType,
    });
    const forged = {
      ...document,
      claims: { ...claims, birthDate: { ...claims.birthDate, value: '1980-04-01' } },
    };
    expect(await verify(insurer, forged)).toMatchObject({ valid: false, reason: 'DOCUMENT_MISMATCH' });

    // Selective disclosure: "resident of Busan" and "born before 2007-11-25", nothing else revealed.
    expect(await verifyClaim(insurer, document.credentialId, 'city', claims.city)).toMatchObject({
      valid: true,
      claim: 'city',
      status: 'ACTIVE',
    });
    expect(
      await verifyClaim(
        insurer,
        document.credentialId,
        'bornBefore2007-11-25',
        claims['bornBefore2007-11-25'],
      ),
    ).toMatchObject({ valid: true });
    expect(
      await verifyClaim(insurer, document.credentialId, 'city', { ...claims.city, value: 'Seoul' }),
    ).toMatchObject({ valid: false, reason: 'CLAIM_MISMATCH' });
    expect(await verifyClaim(insurer, document.credentialId, 'nationality', claims.city)).toMatchObject({
      valid: false,
      reason: 'UNKNOWN_CLAIM',
    });
    expect(await verify(insurer, { ...document, credentialId: `cred-${randomUUID()}` })).toMatchObject({
      valid: false,
      reason: 'UNKNOWN_CREDENTIAL',
    });
  });

  it('is suspended by its holder (a lost phone) and reinstated by the holder; verification says SUSPENDED meanwhile', async () => {
    const suspended = await submit<Credential>(alice, 'credential:SuspendCredential', [
      document.credentialId,
      'lost phone',
    ]);
    transitions.push(suspended);
    expect(suspended.result).toMatchObject({ status: 'SUSPENDED', suspendedBy: 'holder' });
    expect(await verify(insurer, document)).toMatchObject({
      valid: false,
      reason: 'SUSPENDED',
      status: 'SUSPENDED',
    });
    expect(await verifyClaim(insurer, document.credentialId, 'city', claims.city)).toMatchObject({
      valid: false,
      reason: 'SUSPENDED',
    });

    const reinstated = await submit<Credential>(alice, 'credential:ReinstateCredential', [
      document.credentialId,
      'phone found',
    ]);
    transitions.push(reinstated);
    expect(reinstated.result.status).toBe('ACTIVE');
    expect(await verify(insurer, document)).toMatchObject({ valid: true, status: 'ACTIVE' });
  });

  it('is suspended by the issuer (then only the issuing authority reinstates) and revoked for good by it', async () => {
    transitions.push(
      await submit<Credential>(issuer, 'credential:SuspendCredential', [
        document.credentialId,
        'under review',
      ]),
    );
    // The holder did not suspend it, so the holder cannot lift it.
    await expectRefusal(
      submit(alice, 'credential:ReinstateCredential', [document.credentialId, 'please']),
      'FORBIDDEN',
    );
    // The issuing authority is the (MSP, role): another immigration officer acts for it.
    const reinstated = await submit<Credential>(issuer2, 'credential:ReinstateCredential', [
      document.credentialId,
      'review closed',
    ]);
    transitions.push(reinstated);
    expect(reinstated.result.status).toBe('ACTIVE');

    const revoked = await submit<Credential>(issuer, 'credential:RevokeCredential', [
      document.credentialId,
      'residency ended',
    ]);
    transitions.push(revoked);
    expect(revoked.result.status).toBe('REVOKED');
    expect(await verify(insurer, document)).toMatchObject({
      valid: false,
      reason: 'REVOKED',
      status: 'REVOKED',
    });
    expect(await verifyClaim(bob, document.credentialId, 'city', claims.city)).toMatchObject({
      valid: false,
      reason: 'REVOKED',
    });
    // Final: no way back, even for the issuer.
    const refused = await expectRefusal(
      submit(issuer, 'credential:ReinstateCredential', [document.credentialId, 'undo']),
      'FAILED_PRECONDITION',
    );
    expect(refused.details).toMatchObject({ state: 'REVOKED' });

    const history = await evaluate<Page<AuditEntry>>(insurer, 'credential:GetCredentialHistory', [
      document.credentialId,
      100,
      '',
    ]);
    expect(history.items.map((e) => [e.action, e.by])).toEqual([
      ['ISSUED', `${CITY}/${issuer.name}`],
      ['SUSPENDED', `${CITY}/${alice.name}`],
      ['ACTIVE', `${CITY}/${alice.name}`],
      ['SUSPENDED', `${CITY}/${issuer.name}`],
      ['ACTIVE', `${CITY}/${issuer2.name}`],
      ['REVOKED', `${CITY}/${issuer.name}`],
    ]);
    expect(history.items[history.items.length - 1]).toMatchObject({
      reason: 'residency ended',
      to: 'REVOKED',
    });
  });

  it('emitted one chaincode event per transition, carrying ids and states only', async () => {
    const txIds = transitions.map((t) => t.txId);
    const received = await chaincodeEventsOf(
      insurer,
      channel(),
      'identity',
      transitions[0].blockNumber,
      txIds,
    );
    const seen = txIds.map((txId) => {
      const e = received.get(txId);
      if (!e) return undefined;
      const payload = json(e.payload) as {
        txId: string;
        events: { type: string; data: Record<string, unknown> }[];
      };
      expect(payload.txId).toBe(txId);
      for (const value of Object.values(claims)) expect(e.payload.includes(String(value.value))).toBe(false);
      return [e.eventName, ...payload.events.map((x) => [x.type, x.data.to ?? null, x.data.by ?? null])];
    });
    expect(seen).toEqual([
      ['credential.IssueCredential', ['CredentialIssued', null, null]],
      ['credential.SuspendCredential', ['CredentialSuspended', 'SUSPENDED', 'holder']],
      ['credential.ReinstateCredential', ['CredentialReinstated', 'ACTIVE', 'holder']],
      ['credential.SuspendCredential', ['CredentialSuspended', 'SUSPENDED', 'issuer']],
      ['credential.ReinstateCredential', ['CredentialReinstated', 'ACTIVE', 'issuer']],
      ['credential.RevokeCredential', ['CredentialRevoked', 'REVOKED', 'issuer']],
    ]);
  });
});

describe('the wrong identity is refused with FORBIDDEN', () => {
  let credentialId: string;

  beforeAll(async () => {
    credentialId = (await issue(residentIds.alice, { fullName: `Alice ${run}`, city: 'Busan' })).document
      .credentialId;
  });

  it('another organisation: its users, and its certificates claiming a City role', async () => {
    await expectRefusal(submit(insurer, 'credential:RevokeCredential', [credentialId, 'fraud']), 'FORBIDDEN');
    await expectRefusal(
      submit(insurer, 'credential:SuspendCredential', [credentialId, 'fraud']),
      'FORBIDDEN',
    );
    await expectRefusal(
      submit(
        attestor,
        'credential:IssueCredential',
        [{ credentialId: `cred-${randomUUID()}`, type: credentialType, holderId: residentIds.bob }],
        {
          transient: { claims: saltClaims({ city: 'Busan' }) },
        },
      ),
      'FORBIDDEN',
    );
    // A role only means something within the org whose CA issued it.
    await expectRefusal(
      submit(portRegistrar, 'resident:RegisterResident', [{ residentId: `res-${randomUUID()}` }]),
      'FORBIDDEN',
    );
    await expectRefusal(
      submit(portRegistrar, 'issuer:SetTrustedIssuer', [
        { credentialType, mspId: 'PortMSP', role: 'registrar' },
      ]),
      'FORBIDDEN',
    );
    await expectRefusal(submit(insurer, 'resident:LockResident', [residentIds.alice, 'fraud']), 'FORBIDDEN');
  });

  it('another resident, a second certificate claiming the same residentId, and a device bound to the resident', async () => {
    for (const other of [bob, aliceImpostor, aliceDevice]) {
      await expectRefusal(
        submit(other, 'credential:SuspendCredential', [credentialId, 'mine now']),
        'FORBIDDEN',
      );
      await expectRefusal(
        submit(other, 'resident:LockResident', [residentIds.alice, 'mine now']),
        'FORBIDDEN',
      );
    }
    // Not the resident as far as the registry is concerned either.
    expect(await evaluate(aliceImpostor, 'resident:WhoAmI', [])).toBeUndefined();
    expect(await evaluate(alice, 'resident:WhoAmI', [])).toMatchObject({ residentId: residentIds.alice });
  });

  it('a role without the right: holder revoking, non-issuers issuing, police and utility administering', async () => {
    // The holder may suspend but only the issuing authority (or the City, over issuers) revokes.
    await expectRefusal(submit(alice, 'credential:RevokeCredential', [credentialId, 'no']), 'FORBIDDEN');
    await expectRefusal(submit(police, 'credential:RevokeCredential', [credentialId, 'no']), 'FORBIDDEN');
    for (const notTrusted of [police, alice, registrar]) {
      await expectRefusal(
        submit(
          notTrusted,
          'credential:IssueCredential',
          [{ credentialId: `cred-${randomUUID()}`, type: credentialType, holderId: residentIds.alice }],
          {
            transient: { claims: saltClaims({ city: 'Busan' }) },
          },
        ),
        'FORBIDDEN',
      );
    }
    await expectRefusal(
      submit(utility, 'issuer:SetTrustedIssuer', [{ credentialType, mspId: CITY, role: 'utility' }]),
      'FORBIDDEN',
    );
    await expectRefusal(
      submit(police, 'resident:RegisterResident', [{ residentId: `res-${randomUUID()}` }]),
      'FORBIDDEN',
    );
    await expectRefusal(submit(police, 'resident:SuspendResident', [residentIds.alice, 'no']), 'FORBIDDEN');
    await expectRefusal(submit(utility, 'resident:LockResident', [residentIds.alice, 'no']), 'FORBIDDEN');
    // The registrar administers residents, but fraud locks belong to the resident and the police.
    await expectRefusal(submit(registrar, 'resident:LockResident', [residentIds.alice, 'no']), 'FORBIDDEN');
  });

  it('left nothing changed', async () => {
    expect((await getCredential(bob, credentialId)).status).toBe('ACTIVE');
    expect((await getResident(bob, residentIds.alice)).status).toBe('ACTIVE');
    const history = await evaluate<Page<AuditEntry>>(bob, 'credential:GetCredentialHistory', [
      credentialId,
      100,
      '',
    ]);
    expect(history.items.map((e) => e.action)).toEqual(['ISSUED']);
  });
});

describe('birth registration needs the hospital and the city', () => {
  const attestationId = `birth-${randomUUID()}`;
  const childId = `res-child-${randomUUID()}`;
  const credentialId = `cred-birth-${randomUUID()}`;
  const claims = saltClaims({ name: `Baby ${run}`, birthDate: '2026-11-20', birthPlace: 'Busan' });
  /**
   * Certifies with these orgs' endorsements; returns once the block is on every peer (the tests then
   * read as the insurer, whose peer could still be a block behind: seen in CI).
   */
  const certify = async (endorsingOrganizations: string[]) => {
    const submitted = await identity(registrar).submitAsync('birth:IssueBirthCertificate', {
      arguments: [arg({ attestationId, residentId: childId, credentialId })],
      transientData: transient({ claims }),
      endorsingOrganizations,
    });
    return { submitted, status: await settledEverywhere(submitted, 'identity') };
  };

  it('the hospital birth-attestor attests (and only it)', async () => {
    const recordHash = sha256hex(`hospital record ${randomUUID()}`);
    await expectRefusal(submit(registrar, 'birth:AttestBirth', [{ attestationId, recordHash }]), 'FORBIDDEN');
    const attested = await submit<{ status: string; hospital: string }>(attestor, 'birth:AttestBirth', [
      { attestationId, recordHash },
    ]);
    expect(attested.result).toMatchObject({ status: 'ATTESTED', hospital: `${HOSPITAL}/${attestor.name}` });
  });

  it('certifying with the City and another org, but not the hospital, is endorsed yet invalid at commit', async () => {
    // Both peers run the chaincode and endorse (the code itself does not and cannot check who endorses);
    // the chaincode-level policy (2 of 4 orgs) is met; the key-level policy on the attestation is not.
    const { submitted, status } = await certify([CITY, INSURER]);
    expect(json(submitted.getResult())).toMatchObject({ credential: { credentialId } });
    expect(status.successful).toBe(false);
    expect(status.code).toBe(StatusCode.ENDORSEMENT_POLICY_FAILURE);

    // Control: the same two orgs' endorsements are enough for a write under the chaincode-level policy
    // alone, so what failed above is the key-level policy the hospital's attestation put on its key.
    const control = await submit<Resident>(
      registrar,
      'resident:RegisterResident',
      [{ residentId: `res-${randomUUID()}` }],
      { endorsingOrganizations: [CITY, INSURER] },
    );
    expect(control.result.status).toBe('ACTIVE');
  });

  it('certifying with the City alone is invalid at commit too', async () => {
    let error: unknown;
    try {
      await identity(registrar).submit('birth:IssueBirthCertificate', {
        arguments: [arg({ attestationId, residentId: childId, credentialId })],
        transientData: transient({ claims }),
        endorsingOrganizations: [CITY],
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeDefined();
    expect((error as Error).name).toBe('CommitError');
    expect((error as { code: number }).code).toBe(StatusCode.ENDORSEMENT_POLICY_FAILURE);
  });

  it('nothing was certified by the invalid transactions', async () => {
    expect(await evaluate(insurer, 'birth:GetBirthAttestation', [attestationId])).toMatchObject({
      status: 'ATTESTED',
    });
    await expectRefusal(getCredential(insurer, credentialId), 'NOT_FOUND');
    await expectRefusal(getResident(insurer, childId), 'NOT_FOUND');
  });

  it('certifying endorsed by the City and the hospital commits: child registered, certificate issued and verifiable', async () => {
    // The registrar cannot go around birth registration with a plain issuance.
    await expectRefusal(
      submit(
        registrar,
        'credential:IssueCredential',
        [{ credentialId: `cred-${randomUUID()}`, type: 'birth-certificate', holderId: childId }],
        {
          transient: { claims },
        },
      ),
      'FORBIDDEN',
    );
    const { status } = await certify([CITY, HOSPITAL]);
    expect(status.successful).toBe(true);

    expect(await evaluate(insurer, 'birth:GetBirthAttestation', [attestationId])).toMatchObject({
      status: 'CERTIFIED',
      residentId: childId,
      credentialId,
    });
    expect(await getResident(insurer, childId)).toMatchObject({
      status: 'ACTIVE',
      birthCertificateId: credentialId,
    });
    expect((await getResident(insurer, childId)).enrollmentId).toBeUndefined();
    expect(await getCredential(insurer, credentialId)).toMatchObject({
      type: 'birth-certificate',
      holderId: childId,
      status: 'ACTIVE',
      attestationId,
      issuer: { mspId: CITY, role: 'registrar' },
    });
    const document: CredentialDocument = {
      credentialId,
      type: 'birth-certificate',
      holderId: childId,
      issuer: `${CITY}/${registrar.name}`,
      claims,
    };
    expect(await verify(insurer, document)).toMatchObject({ valid: true, status: 'ACTIVE' });
    // Certified once only.
    const again = await expectRefusal(
      submit(
        registrar,
        'birth:IssueBirthCertificate',
        [{ attestationId, residentId: `res-${randomUUID()}`, credentialId: `cred-${randomUUID()}` }],
        {
          transient: { claims },
          endorsingOrganizations: [CITY, HOSPITAL],
        },
      ),
      'FAILED_PRECONDITION',
    );
    expect(again.details).toMatchObject({ state: 'CERTIFIED' });
  });
});

describe('a non-resident holder and a trusted issuer removed', () => {
  const licence = `doctor-licence-${run}`;
  let hospitalAdmin: TestUser;
  let doctor: TestUser;
  let otherDoctor: TestUser;
  let cityNamesake: TestUser; // a City certificate with the doctor's enrolment name
  let credentialId: string;

  beforeAll(async () => {
    hospitalAdmin = await enrolUser('hospital', `hospital-admin-${run}`, { role: 'admin' });
    doctor = await enrolUser('hospital', `dr-${run}`, { role: 'doctor' });
    otherDoctor = await enrolUser('hospital', `dr-other-${run}`, { role: 'doctor' });
    cityNamesake = await enrolUser('city', `dr-${run}`, { role: 'resident' });
  });

  it('the City admin trusts hospital admins for doctor licences; one is issued to a doctor as <mspId>/<enrollmentId>', async () => {
    await expectRefusal(
      issue(
        `${HOSPITAL}/${doctor.name}`,
        { speciality: 'paediatrics' },
        { by: hospitalAdmin, type: licence },
      ),
      'FORBIDDEN',
    );
    await submit(orgAdmin('city'), 'issuer:SetTrustedIssuer', [
      { credentialType: licence, mspId: HOSPITAL, role: 'admin' },
    ]);
    expect(await evaluate(hospitalAdmin, 'issuer:CanIssue', [licence])).toBe(true);
    const { committed, document } = await issue(
      `${HOSPITAL}/${doctor.name}`,
      { speciality: 'paediatrics', licenceNumber: `MD-${run}` },
      { by: hospitalAdmin, type: licence },
    );
    credentialId = committed.result.credentialId;
    expect(committed.result).toMatchObject({
      holderId: `${HOSPITAL}/${doctor.name}`,
      issuer: { mspId: HOSPITAL, role: 'admin' },
    });
    expect(await verify(insurer, document)).toMatchObject({ valid: true });
  });

  it('the doctor suspends their own licence; another doctor and a City namesake cannot', async () => {
    await expectRefusal(
      submit(otherDoctor, 'credential:SuspendCredential', [credentialId, 'x']),
      'FORBIDDEN',
    );
    await expectRefusal(
      submit(cityNamesake, 'credential:SuspendCredential', [credentialId, 'x']),
      'FORBIDDEN',
    );
    const suspended = await submit<Credential>(doctor, 'credential:SuspendCredential', [
      credentialId,
      'lost badge',
    ]);
    expect(suspended.result).toMatchObject({ status: 'SUSPENDED', suspendedBy: 'holder' });
    const reinstated = await submit<Credential>(doctor, 'credential:ReinstateCredential', [
      credentialId,
      'found',
    ]);
    expect(reinstated.result.status).toBe('ACTIVE');
  });

  it('removing the issuer stops new issuance, leaves issued licences as they are, and is audited', async () => {
    await submit(registrar, 'issuer:RemoveTrustedIssuer', [licence, HOSPITAL, 'admin']);
    expect(await evaluate(hospitalAdmin, 'issuer:CanIssue', [licence])).toBe(false);
    await expectRefusal(
      issue(
        `${HOSPITAL}/${otherDoctor.name}`,
        { speciality: 'surgery' },
        { by: hospitalAdmin, type: licence },
      ),
      'FORBIDDEN',
    );
    expect((await getCredential(insurer, credentialId)).status).toBe('ACTIVE');
    expect(await evaluate(insurer, 'issuer:ListTrustedIssuers', [licence])).toMatchObject([
      {
        credentialType: licence,
        mspId: HOSPITAL,
        role: 'admin',
        active: false,
        updatedBy: `${CITY}/${registrar.name}`,
      },
    ]);

    const ours: AuditEntry[] = [];
    let bookmark = '';
    do {
      const page = await evaluate<Page<AuditEntry>>(insurer, 'issuer:GetIssuerHistory', [200, bookmark]);
      ours.push(...page.items.filter((e) => `${e.to ?? ''}${e.from ?? ''}`.startsWith(`${licence}:`)));
      bookmark = page.bookmark;
    } while (bookmark !== '');
    expect(ours.map((e) => [e.action, e.by, e.role])).toEqual([
      ['TRUSTED', `${CITY}/${orgAdmin('city').name}`, 'admin'],
      ['UNTRUSTED', `${CITY}/${registrar.name}`, 'registrar'],
    ]);
  });
});

describe('expiry by time', () => {
  it('a credential past validUntil reads EXPIRED, moves no more, and its holder (not a bystander) records the expiry', async () => {
    await expectRefusal(
      issue(residentIds.bob, { city: 'Busan' }, { validUntil: new Date(Date.now() - 1000).toISOString() }),
      'FAILED_PRECONDITION',
    );
    // The transaction time is the client's proposal time: wait (on the same clock) until it has passed.
    const validUntil = new Date(Date.now() + 3000).toISOString();
    const { committed, document } = await issue(residentIds.bob, { city: 'Busan' }, { validUntil });
    expect(committed.result.status).toBe('ACTIVE');
    await expectRefusal(
      submit(insurer, 'credential:ExpireCredential', [document.credentialId]),
      'FAILED_PRECONDITION',
    );
    while (Date.now() <= Date.parse(validUntil) + 100) await new Promise((r) => setTimeout(r, 200));

    expect((await getCredential(insurer, document.credentialId)).status).toBe('EXPIRED');
    expect(await verify(insurer, document)).toMatchObject({ valid: false, reason: 'EXPIRED' });
    const refused = await expectRefusal(
      submit(bob, 'credential:SuspendCredential', [document.credentialId, 'lost']),
      'FAILED_PRECONDITION',
    );
    expect(refused.details).toMatchObject({ state: 'EXPIRED' });
    // A forward-dated time would let a bystander end any credential for good: only those with a stake record it.
    await expectRefusal(submit(insurer, 'credential:ExpireCredential', [document.credentialId]), 'FORBIDDEN');
    const expired = await submit<Credential>(bob, 'credential:ExpireCredential', [document.credentialId]);
    expect(expired.result.status).toBe('EXPIRED');
  });
});

describe('fraud lock', () => {
  const vinAlphabet = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
  const newVin = () => Array.from(randomBytes(17), (b) => vinAlphabet[b % vinAlphabet.length]).join('');
  const registerVehicle = (ownerId: string) =>
    submit(registrar, 'vehicle:RegisterVehicle', [{ vin: newVin(), ownerId }], { chaincode: 'mobility' });
  const txIds: string[] = [];

  it('the resident locks their own identity: identity-bound actions are refused here and in another chaincode', async () => {
    const locked = await submit<Resident>(carol, 'resident:LockResident', [
      residentIds.carol,
      'phone stolen',
    ]);
    txIds.push(locked.txId);
    expect(locked.result).toMatchObject({ status: 'LOCKED', lockedBy: 'self' });
    expect(await evaluate(carol, 'resident:WhoAmI', [])).toMatchObject({ status: 'LOCKED' });
    expect(await evaluate(insurer, 'status:CheckResident', [residentIds.carol])).toEqual({
      residentId: residentIds.carol,
      status: 'LOCKED',
      active: false,
    });

    // Nothing is issued to a locked identity.
    const refused = await expectRefusal(issue(residentIds.carol, { city: 'Busan' }), 'FAILED_PRECONDITION');
    expect(refused.details).toMatchObject({ state: 'LOCKED', residentId: residentIds.carol });
    // The mobility chaincode asks identity (cross-chaincode, same channel) and refuses the locked owner.
    const mobility = await expectRefusal(registerVehicle(residentIds.carol), 'FORBIDDEN');
    expect(mobility.details).toMatchObject({ reason: 'RESIDENT_NOT_ACTIVE' });
  });

  it('only the resident (who locked it) or the police unlock; the registrar, others and impostors cannot', async () => {
    for (const other of [bob, registrar, utility, insurer]) {
      await expectRefusal(
        submit(other, 'resident:UnlockResident', [residentIds.carol, 'let me in']),
        'FORBIDDEN',
      );
    }
    const unlocked = await submit<Resident>(carol, 'resident:UnlockResident', [
      residentIds.carol,
      'phone recovered',
    ]);
    txIds.push(unlocked.txId);
    expect(unlocked.result.status).toBe('ACTIVE');
    expect(unlocked.result.lockedBy).toBeUndefined();
  });

  it('a police lock is lifted by the police only', async () => {
    const locked = await submit<Resident>(police, 'resident:LockResident', [
      residentIds.carol,
      'fraud report',
    ]);
    txIds.push(locked.txId);
    expect(locked.result).toMatchObject({ status: 'LOCKED', lockedBy: 'police' });
    await expectRefusal(
      submit(carol, 'resident:UnlockResident', [residentIds.carol, 'it is me']),
      'FORBIDDEN',
    );
    const unlocked = await submit<Resident>(police, 'resident:UnlockResident', [
      residentIds.carol,
      'cleared',
    ]);
    txIds.push(unlocked.txId);
    expect(unlocked.result.status).toBe('ACTIVE');

    // Unlocked, the same actions go through.
    expect((await issue(residentIds.carol, { city: 'Busan' })).committed.result.status).toBe('ACTIVE');
    expect((await registerVehicle(residentIds.carol)).result).toMatchObject({ ownerId: residentIds.carol });
  });

  it('every lock and unlock is in the audit trail: who, which role, why, which transaction', async () => {
    const history = await evaluate<Page<AuditEntry>>(insurer, 'resident:GetResidentHistory', [
      residentIds.carol,
      100,
      '',
    ]);
    expect(history.items.map((e) => [e.action, e.by, e.role, e.reason ?? null])).toEqual([
      ['REGISTERED', `${CITY}/${registrar.name}`, 'registrar', null],
      ['LOCKED', `${CITY}/${carol.name}`, 'resident', 'phone stolen'],
      ['UNLOCKED', `${CITY}/${carol.name}`, 'resident', 'phone recovered'],
      ['LOCKED', `${CITY}/${police.name}`, 'police', 'fraud report'],
      ['UNLOCKED', `${CITY}/${police.name}`, 'police', 'cleared'],
    ]);
    expect(history.items.slice(1).map((e) => e.txId)).toEqual(txIds);
  });

  it('re-binding the resident to a new enrolment (new phone after theft) strips the old certificate', async () => {
    const newPhone = await enrolUser('city', `carol-new-${run}`, {
      role: 'resident',
      residentId: residentIds.carol,
    });
    await expectRefusal(
      submit(newPhone, 'resident:LockResident', [residentIds.carol, 'not bound yet']),
      'FORBIDDEN',
    );
    const bound = await submit<Resident>(registrar, 'resident:BindResident', [
      residentIds.carol,
      newPhone.name,
      'phone stolen',
    ]);
    expect(bound.result.enrollmentId).toBe(newPhone.name);
    expect(await evaluate(carol, 'resident:WhoAmI', [])).toBeUndefined();
    expect(await evaluate(newPhone, 'resident:WhoAmI', [])).toMatchObject({ residentId: residentIds.carol });
    await expectRefusal(submit(carol, 'resident:LockResident', [residentIds.carol, 'thief']), 'FORBIDDEN');
    const locked = await submit<Resident>(newPhone, 'resident:LockResident', [
      residentIds.carol,
      'to be safe',
    ]);
    expect(locked.result).toMatchObject({ status: 'LOCKED', lockedBy: 'self' });
    await expectRefusal(submit(carol, 'resident:UnlockResident', [residentIds.carol, 'thief']), 'FORBIDDEN');
    expect(
      (await submit<Resident>(newPhone, 'resident:UnlockResident', [residentIds.carol, 'safe'])).result
        .status,
    ).toBe('ACTIVE');
  });
});

describe('no personal data in the public ledger', () => {
  it('the block holding a credential issuance has the credential id and hashes but no claim value or salt', async () => {
    const values = {
      fullName: `Zephyrine Quillfeather-${randomUUID()}`,
      birthDate: `19${10 + (randomBytes(1)[0] % 80)}-0${1 + (randomBytes(1)[0] % 9)}-2${randomBytes(1)[0] % 8}`,
      nationalNumber: `NN${randomBytes(6).toString('hex')}`,
      address: `${randomBytes(2).readUInt16BE()} Haeundae-ro ${randomUUID()}`,
    };
    const { committed, claims } = await issue(residentIds.bob, values);
    const credentialId = committed.result.credentialId;

    for (const reader of [orgAdmin('city'), orgAdmin('port')]) {
      const block = await fetchBlock(reader, channel(), committed.blockNumber);
      // The search is meaningful: the transaction, its credential id and its hashes are in these bytes.
      expect(block.includes(committed.txId)).toBe(true);
      expect(block.includes(credentialId)).toBe(true);
      expect(block.includes(committed.result.documentHash)).toBe(true);
      expect(block.includes(committed.result.claimHashes.fullName)).toBe(true);
      for (const value of Object.values(values)) expect(block.includes(value)).toBe(false);
      for (const claim of Object.values(claims)) expect(block.includes(claim.salt)).toBe(false);
    }
  });
});

// A chaincode error the gateway could not decode would make every refusal above throw its raw error.
test('coded errors come back through the gateway', async () => {
  let error: unknown;
  try {
    await getCredential(insurer, `cred-${randomUUID()}`);
  } catch (err) {
    error = err;
  }
  expect(chaincodeError(error)).toMatchObject({ code: 'NOT_FOUND' });
});
