/**
 * Reading a chaincode's coded error (chaincode-common: `{"code":…,"details":…,"message":…}`) out of what
 * @hyperledger/fabric-gateway throws. The library exports some error classes as types only, so errors are
 * recognised by `name`, not `instanceof`. The chaincode's text is in `details[].message` (one per peer that
 * answered), prefixed by Fabric (e.g. `chaincode response 500, `); evaluate errors may carry it only in
 * the error's own message.
 */
export interface CodedError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

const GATEWAY_ERRORS = new Set(['GatewayError', 'EndorseError', 'SubmitError', 'CommitStatusError']);

function parseCoded(text: string): CodedError | undefined {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  try {
    const parsed = JSON.parse(text.slice(start)) as Partial<CodedError>;
    return typeof parsed.code === 'string' ? (parsed as CodedError) : undefined;
  } catch {
    return undefined;
  }
}

/** The chaincode's coded error carried by a fabric-gateway error, or undefined if there is none. */
export function chaincodeError(err: unknown): CodedError | undefined {
  if (!(err instanceof Error) || !GATEWAY_ERRORS.has(err.name)) return undefined;
  const details = (err as { details?: { message?: string }[] }).details ?? [];
  for (const d of details) {
    const coded = d.message ? parseCoded(d.message) : undefined;
    if (coded) return coded;
  }
  return parseCoded(err.message);
}

/** Awaits a call that must be refused by the chaincode with `code`; returns the coded error. */
export async function expectRefusal(call: Promise<unknown>, code: string): Promise<CodedError> {
  let caught: unknown;
  try {
    await call;
  } catch (err) {
    caught = err;
  }
  if (caught === undefined) throw new Error(`expected a ${code} refusal, but the call succeeded`);
  const coded = chaincodeError(caught);
  if (!coded) throw caught;
  if (coded.code !== code) {
    throw new Error(`expected ${code}, got ${coded.code}: ${coded.message} ${JSON.stringify(coded.details)}`);
  }
  return coded;
}
