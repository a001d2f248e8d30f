import type { Context } from 'fabric-contract-api';
import { caller, txTime } from '@cityledger/chaincode-common';
import { audit } from './store';

/** Appends an audit entry for `subject`: who (certificate), when (tx time), what, from/to, why. */
export async function record(
  ctx: Context,
  subject: string,
  action: string,
  change: { from?: string; to?: string; reason?: string } = {},
): Promise<void> {
  const who = caller(ctx);
  await audit.put(ctx, {
    subject,
    at: txTime(ctx).iso,
    txId: ctx.stub.getTxID(),
    action,
    by: who.key,
    role: who.role ?? null,
    ...(change.from !== undefined ? { from: change.from } : {}),
    ...(change.to !== undefined ? { to: change.to } : {}),
    ...(change.reason ? { reason: change.reason } : {}),
  });
}

export const residentSubject = (residentId: string) => `resident:${residentId}`;
export const credentialSubject = (credentialId: string) => `credential:${credentialId}`;
export const ISSUERS_SUBJECT = 'issuers';
