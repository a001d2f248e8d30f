/**
 * Identity: credential issuance by a trusted issuer (a City immigration officer), claims in the
 * transient map (`claims`, salted), to residents registered for the run. Issuances never touch a key
 * another one writes (the resident is only read), so one issuer identity serves any concurrency.
 */
import { randomUUID } from 'node:crypto';
import { submitAs } from '../../support/calls';
import { saltClaims, transient } from '../../support/credentials';
import { enrolUser } from '../../support/live';
import { Outcome } from '../load';
import { DirectContext, evaluate, PrepareContext, RestContext, Workload } from '../workloads';
import {
  Actor,
  CITY,
  cityRegistrar,
  makeActor,
  once,
  registerResidents,
  restAs,
  submitDirect,
} from './common';

interface IdentitySetup {
  type: string;
  holders: string[];
  issuer: Actor;
  /** issued in setup, for the reads of the mix */
  credentialId: string;
}

let setup: IdentitySetup | undefined;

export const identitySetup = (ctx: PrepareContext): Promise<IdentitySetup> =>
  once('identity', async () => {
    const run = ctx.runId;
    const type = `bench-residency-${run}`;
    const registrar = await cityRegistrar(ctx);
    await submitAs(registrar, 'identity', 'issuer:SetTrustedIssuer', [
      { credentialType: type, mspId: CITY, role: 'immigration' },
    ]);
    const holders = Array.from({ length: 4 }, (_, i) => `bench-${run}-holder-${i}`);
    await registerResidents(ctx, holders);
    const issuer = await makeActor(
      ctx,
      'city',
      `bench-${run}-immigration`,
      { role: 'immigration' },
      'identity',
    );
    const credentialId = `bench-${run}-cred-read`;
    const officer =
      issuer.user ?? (await enrolUser('city', `bench-${run}-immigration`, { role: 'immigration' }));
    await submitAs(
      officer,
      'identity',
      'credential:IssueCredential',
      [{ credentialId, type, holderId: holders[0] }],
      {
        transient: { claims: claimsOf(0) },
      },
    );
    setup = { type, holders, issuer, credentialId };
    return setup;
  });

const claimsOf = (i: number) =>
  saltClaims({ fullName: `Bench Resident ${i}`, birthDate: '1990-04-01', city: 'Busan', resident: true });

const inputOf = (s: IdentitySetup, i: number, mode: string) => ({
  credentialId: `cred-${mode}-${randomUUID()}`,
  type: s.type,
  holderId: s.holders[i % s.holders.length],
});

export const identityIssue: Workload = {
  name: 'identity-issue',
  kind: 'submit',
  chaincode: 'identity',
  description: 'credential:IssueCredential by a trusted issuer, salted claims in the transient map',
  prepare: async (ctx) => void (await identitySetup(ctx)),
  direct: (_ctx: DirectContext) => {
    const s = setup!;
    return (i) =>
      submitDirect(s.issuer.contract!, 'credential:IssueCredential', [inputOf(s, i, 'd')], {
        transientData: transient({ claims: claimsOf(i) }),
      });
  },
  rest: (ctx: RestContext) => {
    const s = setup!;
    const call = restAs(ctx, s.issuer);
    return (i) =>
      call('POST', '/api/v1/identity/credential/credentials', {
        input: inputOf(s, i, 'r'),
        transient: { claims: claimsOf(i) },
      });
  },
};

/** For the mix: a credential read by id, as any member. */
export const identityRead = {
  direct: (ctx: DirectContext) => {
    const contract = ctx.contract('identity');
    return (): Promise<Outcome> => evaluate(contract, 'credential:GetCredential', [setup!.credentialId]);
  },
  rest: (ctx: RestContext) => (): Promise<Outcome> =>
    ctx.call('GET', `/api/v1/identity/credential/credentials/${encodeURIComponent(setup!.credentialId)}`),
};
