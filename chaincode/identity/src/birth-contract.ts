import type { Static } from '@sinclair/typebox';
import type { Context } from 'fabric-contract-api';
import {
  CityContract,
  Evaluate,
  Id,
  Submit,
  conflict,
  emit,
  failedPrecondition,
  readTransient,
  requireEndorsementBy,
  requireOrgRole,
  txTime,
} from '@cityledger/chaincode-common';
import { record, residentSubject } from './audit';
import { issueCredential } from './credential-contract';
import {
  AttestBirthInput,
  BIRTH_CERTIFICATE,
  BirthAttestationSchema,
  BirthAttestor,
  CITY,
  CredentialSchema,
  HOSPITAL,
  IssueBirthCertificateInput,
  IssueTransient,
  Registrar,
  type BirthAttestation,
  type Credential,
  type Resident,
} from './model';
import { birthAttestations, birthRecords, residents } from './store';
import { Type } from '@sinclair/typebox';

/** Both parties to a birth: their peers must endorse certifying an attestation (key-level policy). */
export const BIRTH_ENDORSERS = [CITY, HOSPITAL];

/**
 * Birth registration needs two parties: a hospital birth-attestor attests the birth, then the City
 * registrar issues the birth certificate. The attestation key carries a key-level endorsement
 * policy requiring peers of HospitalMSP AND CityMSP, so certifying it (a write to that key) is
 * invalid at commit unless both organisations' peers endorsed — whatever the chaincode code on any
 * single peer says.
 */
export class BirthContract extends CityContract {
  constructor() {
    super('birth');
  }

  @Submit({
    description:
      'Attest a birth (hospital birth-attestor). recordHash is the SHA-256 of the hospital record, which stays at the hospital; a record already attested is refused (CONFLICT).',
    params: { input: AttestBirthInput },
    returns: BirthAttestationSchema,
  })
  async AttestBirth(ctx: Context, input: Static<typeof AttestBirthInput>): Promise<BirthAttestation> {
    const who = requireOrgRole(ctx, BirthAttestor);
    const attestation: BirthAttestation = {
      ...input,
      hospital: who.key,
      status: 'ATTESTED',
      attestedAt: txTime(ctx).iso,
    };
    const key = await birthAttestations.create(ctx, attestation);
    // One birth, one attestation: a second attestation of the same record would register the
    // child twice (two residents, two birth certificates).
    const earlier = await birthRecords.get(ctx, input.recordHash);
    if (earlier)
      throw conflict('this birth record is already attested', {
        reason: 'BIRTH_ALREADY_ATTESTED',
        attestationId: earlier.attestationId,
      });
    await birthRecords.put(ctx, { recordHash: input.recordHash, attestationId: input.attestationId });
    await requireEndorsementBy(ctx, key, BIRTH_ENDORSERS);
    emit(ctx, 'BirthAttested', { attestationId: input.attestationId });
    return attestation;
  }

  @Submit({
    description:
      'Issue the birth certificate for an attested birth (City registrar) and register the child as a resident. Must be endorsed by CityMSP and HospitalMSP peers. Claims in transient "claims".',
    params: { input: IssueBirthCertificateInput },
    transient: IssueTransient,
    endorsers: BIRTH_ENDORSERS,
    returns: Type.Object({ attestation: BirthAttestationSchema, credential: CredentialSchema }),
  })
  async IssueBirthCertificate(
    ctx: Context,
    input: Static<typeof IssueBirthCertificateInput>,
  ): Promise<{ attestation: BirthAttestation; credential: Credential }> {
    requireOrgRole(ctx, Registrar);
    const { claims } = readTransient(ctx, IssueTransient);
    const attestation = await birthAttestations.require(ctx, input.attestationId);
    if (attestation.status !== 'ATTESTED') {
      throw failedPrecondition(`birth ${input.attestationId} is already certified`, {
        state: attestation.status,
      });
    }
    const now = txTime(ctx).iso;
    const resident: Resident = {
      residentId: input.residentId,
      status: 'ACTIVE',
      registeredAt: now,
      updatedAt: now,
      birthCertificateId: input.credentialId,
    };
    await residents.create(ctx, resident);
    const credential = await issueCredential(
      ctx,
      {
        credentialId: input.credentialId,
        type: BIRTH_CERTIFICATE,
        holderId: input.residentId,
        attestationId: input.attestationId,
      },
      claims,
    );
    const certified: BirthAttestation = {
      ...attestation,
      status: 'CERTIFIED',
      certifiedAt: now,
      residentId: input.residentId,
      credentialId: input.credentialId,
    };
    await birthAttestations.put(ctx, certified);
    await record(ctx, residentSubject(input.residentId), 'REGISTERED', {
      to: 'ACTIVE',
      reason: `birth ${input.attestationId}`,
    });
    emit(ctx, 'ResidentRegistered', { residentId: input.residentId, bound: false });
    emit(ctx, 'BirthCertified', {
      attestationId: input.attestationId,
      residentId: input.residentId,
      credentialId: input.credentialId,
    });
    return { attestation: certified, credential };
  }

  @Evaluate({
    description: 'A birth attestation (hashes and status).',
    params: { attestationId: Id() },
    returns: BirthAttestationSchema,
  })
  async GetBirthAttestation(ctx: Context, attestationId: string): Promise<BirthAttestation> {
    return birthAttestations.require(ctx, attestationId);
  }
}
