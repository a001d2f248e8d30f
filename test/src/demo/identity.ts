/**
 * Act 1 — identity (Illinois' birth certificates and IDs, Taipei's identities against theft): a birth is
 * attested by the hospital and certified by the civil registry (both organisations endorse); the resident's
 * ID credential is issued, verified by a third party (an insurer) as a whole and by one claim only
 * (selective disclosure); after a theft attempt the resident locks the identity, the thief's move is
 * refused, and the resident unlocks it.
 */
import { CredentialDocument, documentHash, saltClaims, sha256hex } from '../support/credentials';
import { randomVin } from '../support/telemetry';
import { MSP } from './client';
import { Day } from './context';
import { check, refusal } from './narrator';

interface Resident {
  residentId: string;
  status: string;
  lockedBy?: string;
  birthCertificateId?: string;
}
interface Verification {
  valid: boolean;
  reason?: string;
  status?: string;
}

export interface IdentityOutcome {
  residentId: string;
  childId: string;
  birthCertificateId: string;
  birthCertificateVerified: boolean;
  credentialId: string;
  credentialVerified: boolean;
  claimVerified: boolean;
  forgedClaimRejected: boolean;
  refusedWhileLocked: string;
  statusAfterUnlock: string;
}

export async function identityAct(day: Day): Promise<IdentityOutcome> {
  const { narrator: n, registrar, police } = day;
  n.act(1, 'Identity: a birth, an ID credential, a theft attempt');

  const residentId = day.id('R-minji');
  const [minji, immigration, attestor, verifier] = await Promise.all([
    day.enrol('city', 'minji', 'resident', { residentId }),
    day.enrol('city', 'immigration', 'immigration'),
    day.enrol('hospital', 'midwife', 'birth-attestor'),
    day.enrol('insurer', 'kyc-desk', 'insurer'),
  ]);

  // The resident is registered by the civil registry and bound to the enrolment she acts with.
  n.tx(
    `registrar registers resident ${residentId}, bound to ${minji.key}`,
    await registrar.submit<Resident>('identity/residents', { residentId, enrollmentId: minji.enrollmentId }),
  );
  day.resident = { client: minji, residentId, name: 'Minji' };

  // A birth: the hospital attests (only a hash of its record), the registry certifies with both orgs.
  const attestationId = day.id('birth');
  const childId = day.id('R-baby');
  const birthCertificateId = day.id('cred-birth');
  n.tx(
    `hospital ${attestor.key} attests the birth ${attestationId} (record hash only)`,
    await attestor.submit('identity/birth/attest-birth', {
      attestationId,
      recordHash: sha256hex(`birth record of ${childId} at Busan Medical Center`),
    }),
  );
  const birthClaims = saltClaims({
    name: 'Baby Seo',
    birthDate: '2026-11-20',
    birthPlace: 'Busan',
    parent: residentId,
  });
  const certified = n.tx(
    `civil registry certifies it (endorsed by CityMSP + HospitalMSP): child ${childId}, certificate ${birthCertificateId}`,
    await registrar.submit<{ credential: { status: string } }>('identity/birth/birth-certificates', {
      input: { attestationId, residentId: childId, credentialId: birthCertificateId },
      transient: { claims: birthClaims },
    }),
  );
  check(certified.result.credential.status === 'ACTIVE', 'the birth certificate is ACTIVE');
  const child = (await verifier.get<{ result: Resident }>(`identity/residents/${childId}`)).result;
  n.info(
    `the child is a resident: ${child.residentId} ${child.status}, birth certificate ${child.birthCertificateId}`,
  );
  const birthDocument: CredentialDocument = {
    credentialId: birthCertificateId,
    type: 'birth-certificate',
    holderId: childId,
    issuer: registrar.key,
    claims: birthClaims,
  };
  const birthVerified = (
    await verifier.evaluate<{ result: Verification }>(
      `identity/credential/credentials/${birthCertificateId}/verify`,
      {
        transient: { document: birthDocument },
      },
    )
  ).result;
  n.say(
    `insurer verifies the birth certificate document: valid=${birthVerified.valid} (${birthVerified.status})`,
  );

  // The ID credential: City immigration is a trusted issuer of national IDs.
  const type = 'national-id';
  const canIssue = (
    await immigration.get<{ result: boolean }>('identity/issuer/can-issue', { credentialType: type })
  ).result;
  if (!canIssue) {
    n.tx(
      `registrar trusts City immigration officers to issue ${type}`,
      await registrar.submit('identity/issuer/set-trusted-issuer', {
        credentialType: type,
        mspId: MSP.city,
        role: 'immigration',
      }),
    );
  } else n.say(`City immigration officers are trusted issuers of ${type} (set on an earlier day)`);
  const credentialId = day.id('cred-id');
  const claims = saltClaims({ fullName: 'Seo Minji', birthDate: '1994-03-14', city: 'Busan', adult: true });
  n.tx(
    `immigration issues ${type} ${credentialId} to ${residentId} (claims travel as transient data; the ledger keeps salted hashes)`,
    await immigration.submit('identity/credential/credentials', {
      input: { credentialId, type, holderId: residentId },
      transient: { claims },
    }),
  );
  const document: CredentialDocument = {
    credentialId,
    type,
    holderId: residentId,
    issuer: immigration.key,
    claims,
  };
  const onLedger = (
    await verifier.get<{ result: { documentHash: string } }>(
      `identity/credential/credentials/${credentialId}`,
    )
  ).result;
  check(
    onLedger.documentHash === documentHash(document),
    'the ledger holds the hash of the document Minji keeps',
  );

  const whole = (
    await verifier.evaluate<{ result: Verification }>(
      `identity/credential/credentials/${credentialId}/verify`,
      {
        transient: { document },
      },
    )
  ).result;
  n.say(`the insurer's KYC desk verifies the whole ID document: valid=${whole.valid} (${whole.status})`);
  const city = (
    await verifier.evaluate<{ result: Verification }>('identity/credential/verify-claim', {
      credentialId,
      claimName: 'city',
      transient: { claim: claims.city },
    })
  ).result;
  n.say(
    `selective disclosure: Minji reveals only "city = Busan" (and its salt): valid=${city.valid}; name and birth date stay hidden`,
  );
  const forged = (
    await verifier.evaluate<{ result: Verification }>('identity/credential/verify-claim', {
      credentialId,
      claimName: 'city',
      transient: { claim: { ...claims.city, value: 'Seoul' } },
    })
  ).result;
  n.say(`a forged claim "city = Seoul": valid=${forged.valid} (${forged.reason})`);

  // A theft attempt: someone tries to use Minji's identity; she locks it at once.
  n.say("a thief with Minji's stolen phone tries to pass as her; she reports it and locks her identity");
  const locked = n.tx(
    `Minji locks ${residentId} herself`,
    await minji.submit<Resident>(`identity/residents/${residentId}/lock`, { reason: 'phone stolen' }),
  );
  check(locked.result.status === 'LOCKED', 'the identity is LOCKED');
  const refused = await refusal(
    immigration.submit('identity/credential/credentials', {
      input: { credentialId: day.id('cred-thief'), type, holderId: residentId },
      transient: { claims: saltClaims({ fullName: 'Seo Minji', city: 'Seoul' }) },
    }),
    'FAILED_PRECONDITION',
  );
  n.refused("while locked, a new ID credential for her (the thief's replacement request)", refused);
  const car = await refusal(
    registrar.submit('mobility/vehicles', { vin: randomVin(), ownerId: residentId }),
    'FORBIDDEN',
  );
  n.refused('while locked, registering a car in her name (mobility asks identity)', car);
  const unlocked = n.tx(
    `Minji unlocks ${residentId} (phone recovered); the lock and unlock stay in the audit trail`,
    await minji.submit<Resident>(`identity/residents/${residentId}/unlock`, { reason: 'phone recovered' }),
  );
  const history = (
    await police.get<{ result: { items: { action: string }[] } }>(
      `identity/residents/${residentId}/history`,
      { pageSize: 20, bookmark: '' },
    )
  ).result;
  n.info(`audit trail: ${history.items.map((e) => e.action).join(' → ')}`);

  return {
    residentId,
    childId,
    birthCertificateId,
    birthCertificateVerified: birthVerified.valid,
    credentialId,
    credentialVerified: whole.valid,
    claimVerified: city.valid,
    forgedClaimRejected: !forged.valid,
    refusedWhileLocked: `${refused.code}/${car.code}`,
    statusAfterUnlock: unlocked.result.status,
  };
}
