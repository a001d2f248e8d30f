import type { Context } from 'fabric-contract-api';
import { KeyEndorsementPolicy } from 'fabric-shim';

/**
 * Key-level (state-based) endorsement: from now on, any transaction that writes `key` must carry
 * endorsements from a peer of EVERY listed org, whatever the chaincode-level policy says. Fabric
 * enforces it at commit on every peer, so code on a single org's peer cannot bypass it.
 */
export async function requireEndorsementBy(
  ctx: Context,
  key: string,
  mspIds: string[],
  collection?: string,
): Promise<void> {
  const policy = new KeyEndorsementPolicy();
  policy.addOrgs('PEER', ...[...new Set(mspIds)].sort());
  const bytes = policy.getPolicy();
  if (collection) await ctx.stub.setPrivateDataValidationParameter(collection, key, bytes);
  else await ctx.stub.setStateValidationParameter(key, bytes);
}

/** The orgs whose peers must endorse writes to `key` ([] when only the chaincode policy applies). */
export async function endorsersRequiredFor(
  ctx: Context,
  key: string,
  collection?: string,
): Promise<string[]> {
  const bytes = collection
    ? await ctx.stub.getPrivateDataValidationParameter(collection, key)
    : await ctx.stub.getStateValidationParameter(key);
  if (!bytes || bytes.length === 0) return [];
  return new KeyEndorsementPolicy(bytes).listOrgs().sort();
}
