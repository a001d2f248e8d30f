import { canonicalJson } from './canonical';

/**
 * Stable error codes. The gateway maps them to HTTP in one table, so a code is a contract:
 * add codes, never rename one.
 */
export const ErrorCodes = {
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  FAILED_PRECONDITION: 'FAILED_PRECONDITION',
  /** A bug or an unexpected failure inside the chaincode (never the caller's fault). */
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export const ERROR_CODES: readonly ErrorCode[] = Object.values(ErrorCodes);

export type ErrorDetails = Record<string, unknown>;

/**
 * The only error a transaction throws. Its `message` is the canonical JSON
 * `{"code":...,"details":...,"message":...}` because Fabric forwards nothing but the message
 * (prefixed with text such as "chaincode response 500, "): the gateway parses from the first '{'.
 */
export class ChaincodeError extends Error {
  readonly code: ErrorCode;
  readonly reason: string;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(canonicalJson({ code, message, details }));
    this.name = 'ChaincodeError';
    this.code = code;
    this.reason = message;
    this.details = details;
  }

  /** Parses the JSON body out of an error message, wherever Fabric put it. */
  static parse(text: string): ChaincodeError | undefined {
    const start = text.indexOf('{');
    if (start < 0) return undefined;
    try {
      const body = JSON.parse(text.slice(start)) as { code?: unknown; message?: unknown; details?: unknown };
      if (typeof body.code !== 'string' || !(ERROR_CODES as readonly string[]).includes(body.code))
        return undefined;
      const details =
        typeof body.details === 'object' && body.details !== null ? (body.details as ErrorDetails) : {};
      return new ChaincodeError(body.code as ErrorCode, String(body.message ?? ''), details);
    } catch {
      return undefined;
    }
  }
}

export const invalidArgument = (message: string, details?: ErrorDetails) =>
  new ChaincodeError(ErrorCodes.INVALID_ARGUMENT, message, details);
export const forbidden = (message: string, details?: ErrorDetails) =>
  new ChaincodeError(ErrorCodes.FORBIDDEN, message, details);
export const notFound = (message: string, details?: ErrorDetails) =>
  new ChaincodeError(ErrorCodes.NOT_FOUND, message, details);
export const conflict = (message: string, details?: ErrorDetails) =>
  new ChaincodeError(ErrorCodes.CONFLICT, message, details);
export const failedPrecondition = (message: string, details?: ErrorDetails) =>
  new ChaincodeError(ErrorCodes.FAILED_PRECONDITION, message, details);

/** Any thrown value as a ChaincodeError: unknown errors become INTERNAL, keeping their text. */
export function toChaincodeError(err: unknown): ChaincodeError {
  if (err instanceof ChaincodeError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return ChaincodeError.parse(message) ?? new ChaincodeError(ErrorCodes.INTERNAL, message);
}
