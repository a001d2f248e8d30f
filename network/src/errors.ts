/**
 * Errors the CLI reports with a stable code, so scripts and runbooks can tell a refusal (an unsafe state
 * dir, another command holding the lock) from a failure of Fabric itself.
 */
export type NetworkErrorCode =
  | 'UNSAFE_STATE_DIR'
  | 'STATE_DIR_NOT_OURS'
  | 'STATE_LOCKED'
  | 'UNKNOWN_CHAINCODE'
  | 'PORT_IN_USE'
  | 'CERTIFICATE_EXPIRED'
  | 'CHANNEL_UPDATE_UNSUPPORTED';

export class NetworkError extends Error {
  override name = 'NetworkError';
  constructor(
    readonly code: NetworkErrorCode,
    message: string,
  ) {
    super(message);
  }
}
