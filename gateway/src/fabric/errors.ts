import { Problem } from '../problem';

/**
 * Fabric and chaincode failures → problem+json, in one table. Checks `err.name`, never `instanceof`:
 * fabric-gateway exports some error classes as types only.
 */

/** Chaincode error codes (chaincode/common ErrorCodes) → HTTP status. */
export const CHAINCODE_STATUS: Record<string, number> = {
  INVALID_ARGUMENT: 400,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  FAILED_PRECONDITION: 422,
  INTERNAL: 500,
};

/** gRPC status codes used by the Fabric Gateway service. */
const GRPC = { DEADLINE_EXCEEDED: 4, PERMISSION_DENIED: 7, FAILED_PRECONDITION: 9, ABORTED: 10, UNAVAILABLE: 14, UNKNOWN: 2 };

export interface ChaincodeErrorBody {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

/** The chaincode's coded JSON error, from the first '{' of a message (Fabric prefixes its own text). */
export function parseChaincodeError(text: string | undefined): ChaincodeErrorBody | undefined {
  if (!text) return undefined;
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end < start) return undefined;
  try {
    const body = JSON.parse(text.slice(start, end + 1)) as Partial<ChaincodeErrorBody>;
    if (typeof body.code !== 'string' || !/^[A-Z][A-Z_]*$/.test(body.code)) return undefined;
    return {
      code: body.code,
      message: typeof body.message === 'string' ? body.message : '',
      details: typeof body.details === 'object' && body.details !== null ? body.details : {},
    };
  } catch {
    return undefined;
  }
}

interface FabricErrorLike {
  name?: string;
  message?: string;
  code?: number;
  details?: Array<{ address?: string; mspId?: string; message?: string }>;
  transactionId?: string;
}

/** A read conflict: the whole flow may be retried from a new proposal. */
export class ReadConflict extends Error {
  override name = 'ReadConflict';
  constructor(
    readonly txId: string,
    readonly codeName: string,
  ) {
    super(`transaction ${txId} was invalidated by a concurrent update (${codeName})`);
  }
}

/** A transaction that reached the ledger but was marked invalid for another reason. */
export class TxInvalid extends Error {
  override name = 'TxInvalid';
  constructor(
    readonly txId: string,
    readonly codeName: string,
    readonly blockNumber: bigint,
  ) {
    super(`transaction ${txId} was committed as invalid: ${codeName}`);
  }
}

const CHAINCODE_DOWN = /could not launch chaincode|error creating grpc connection to .* connection refused/i;
/** A peer's TimeWindowCheck: the proposal's time (this gateway's clock) is outside its window. */
const CLOCK_SKEW = /request unauthorized due to incorrect timestamp/i;

export function toProblem(err: unknown, txId?: string): Problem {
  if (err instanceof Problem) return err;
  const e = (err ?? {}) as FabricErrorLike;
  const tx = e.transactionId ?? txId;
  const withTx = tx ? { txId: tx } : {};

  if (e.name === 'ReadConflict') {
    const rc = err as ReadConflict;
    return new Problem(409, 'READ_CONFLICT', `${rc.message}; retries exhausted, try again`, { txId: rc.txId });
  }
  if (e.name === 'TxInvalid') {
    const ti = err as TxInvalid;
    const status = ti.codeName === 'ENDORSEMENT_POLICY_FAILURE' ? 403 : 502;
    return new Problem(status, `TX_${ti.codeName}`, ti.message, { txId: ti.txId, blockNumber: ti.blockNumber.toString() });
  }
  if (e.name === 'CommitError') {
    return new Problem(502, 'TX_INVALID', e.message ?? 'transaction invalid', withTx);
  }

  // A chaincode refusal, wherever Fabric put the text: per-peer details first, then the message.
  const texts = [...(e.details ?? []).map((d) => d.message), e.message];
  for (const t of texts) {
    const body = parseChaincodeError(t);
    if (body) {
      const status = CHAINCODE_STATUS[body.code] ?? 500;
      return new Problem(status, body.code, body.message, { ...withTx, details: body.details });
    }
  }

  if (isEndorsementMismatch(err))
    return new Problem(409, 'READ_CONFLICT', 'the endorsing peers read different versions of the state (a key written concurrently); retries exhausted, try again', withTx);

  const isFabric = ['GatewayError', 'EndorseError', 'SubmitError', 'CommitStatusError'].includes(e.name ?? '');
  if (isFabric || typeof e.code === 'number') {
    const peers = peerDetails(err).join('; ');
    const detail = peers ? `${e.message ?? ''} (${peers})` : (e.message ?? 'Fabric error');
    // Every call fails this way until the hosts' clocks agree: the operator's problem, not the caller's.
    if (CLOCK_SKEW.test(detail))
      return new Problem(503, 'CLOCK_SKEW', `the gateway's clock and a peer's disagree beyond the peer's time window; synchronise the hosts' clocks (NTP): ${detail}`, withTx);
    switch (e.code) {
      case GRPC.DEADLINE_EXCEEDED:
        return new Problem(504, 'TIMEOUT', tx ? `timed out; transaction ${tx} may still commit: poll its status` : 'timed out', withTx);
      case GRPC.UNAVAILABLE:
        return new Problem(503, 'NO_ENDORSERS', `no peer available: ${detail}`, withTx);
      case GRPC.PERMISSION_DENIED:
        return new Problem(403, 'ACCESS_DENIED', detail, withTx);
      case GRPC.FAILED_PRECONDITION:
        return /access denied|creator|not authorized/i.test(detail)
          ? new Problem(403, 'ACCESS_DENIED', detail, withTx)
          : new Problem(503, 'CHAINCODE_UNAVAILABLE', detail, withTx);
      default:
        // A peer that cannot reach the chaincode server (CCaaS process down or restarting) answers
        // ABORTED "could not launch chaincode … connection refused": the chaincode is unavailable.
        return CHAINCODE_DOWN.test(detail)
          ? new Problem(503, 'CHAINCODE_UNAVAILABLE', detail, withTx)
          : new Problem(502, 'FABRIC_ERROR', detail, withTx);
    }
  }
  return new Problem(500, 'INTERNAL', 'internal error', withTx);
}

/** Each peer's answer that Fabric attached to an error, as `MSP@address: message`. */
export function peerDetails(err: unknown): string[] {
  return ((err as FabricErrorLike | undefined)?.details ?? []).map((d) => `${d.mspId ?? '?'}@${d.address ?? '?'}: ${d.message ?? ''}`);
}

/**
 * The peer gateway's ABORTED "ProposalResponsePayloads do not match": two endorsers, a block apart,
 * simulated on different versions of a key. Transient; nothing reached the orderer.
 */
export function isEndorsementMismatch(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; details?: Array<{ message?: string }> } | undefined;
  if (!e || e.code !== GRPC.ABORTED) return false;
  const texts = [String(e.message ?? ''), ...(e.details ?? []).map((d) => d.message ?? '')];
  return texts.some((t) => /ProposalResponsePayloads do not match/i.test(t));
}

/**
 * The peer gateway's ABORTED "failed to collect enough transaction endorsements" where some peer endorsed
 * and another refused with a chaincode error: they simulated on different blocks (a peer late with a
 * block its neighbour has). Fabric plans further endorsers only once the caller's own-org peer has
 * endorsed; with explicit endorsing orgs all are asked at once, and it is a disagreement only if some of
 * them did not refuse. A refusal every endorser agrees on is the chaincode's answer, never retried.
 */
export function isEndorsementDisagreement(err: unknown, endorsingOrgs?: readonly string[]): boolean {
  const e = err as FabricErrorLike | undefined;
  if (!e || e.code !== GRPC.ABORTED || !/failed to collect enough transaction endorsements/i.test(String(e.message ?? ''))) return false;
  const refusing = (e.details ?? []).filter((d) => parseChaincodeError(d.message) !== undefined);
  if (refusing.length === 0) return false;
  if (!endorsingOrgs) return true;
  const refused = new Set(refusing.map((d) => d.mspId));
  return endorsingOrgs.some((org) => !refused.has(org));
}

/** Endorsing peers a block apart, either way they show it: transient, and nothing reached the orderer. */
export function isPeersApart(err: unknown, endorsingOrgs?: readonly string[]): boolean {
  return isEndorsementMismatch(err) || isEndorsementDisagreement(err, endorsingOrgs);
}
