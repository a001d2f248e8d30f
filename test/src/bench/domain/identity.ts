/**
 * Identity: credential issuance by a trusted issuer (a City immigration officer), claims in the
 * transient map (`claims`, salted), to residents registered for the run. Issuances never touch a key
 * another one writes (the resident is only read), so one issuing officer serves any concurrency in
 * direct mode; through the gateway several officers share the load (each API key is rate limited).
 */
import { randomUUID } from 'node:crypto';
import { submitAs } from '../../support/calls';
import { saltClaims, transient } from '../../support/credentials';
import { Outcome } from '../load';
import { roundRobin } from '../pool';
import { DirectContext, evaluate, PrepareContext, RestContext, Workload } from '../workloads';
import {
  Actor,
  enrol,
  CITY,
  cityRegistrar,
  makeActors,
  once,
  registerResidents,
  restAs,
  restKeysFor,
  submitDirect,
} from './common';

interface IdentitySetup {
  type: string;
  holders: string[];
  /** issuing officers: [0] acts in direct mode, all of them (in turn) through the gateway */
  issuers: Actor[];
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
    const issuers = await makeActors(
      ctx,
      restKeysFor(ctx),
      'city',
      `bench-${run}-immigration`,
      { role: 'immigration' },
      'identity',
    );
    const credentialId = `bench-${run}-cred-read`;
    const officer = await enrol('city', `bench-${run}-immigration`, { role: 'immigration' });
    await submitAs(
      officer,
      'identity',
      'credential:IssueCredential',
      [{ credentialId, type, holderId: holders[0] }],
      {
        transient: { claims: claimsOf(0) },
      },
    );
    setup = { type, holders, issuers, credentialId };
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
      submitDirect(s.issuers[0].contract!, 'credential:IssueCredential', [inputOf(s, i, 'd')], {
        transientData: transient({ claims: claimsOf(i) }),
      });
  },
  rest: (ctx: RestContext) => {
    const s = setup!;
    const issuer = roundRobin(s.issuers);
    return (i) =>
      restAs(ctx, issuer())('POST', '/api/v1/identity/credential/credentials', {
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
  rest: (ctx: RestContext) => {
    const reader = roundRobin(setup!.issuers);
    return (): Promise<Outcome> =>
      restAs(ctx, reader())(
        'GET',
        `/api/v1/identity/credential/credentials/${encodeURIComponent(setup!.credentialId)}`,
      );
  },
};

/** City users with API keys that may read what any member reads (spreading the mix's reads over keys). */
export const cityReaders = (): (() => Actor) => roundRobin(setup!.issuers);
