/**
 * RFC 9457 problem details. Every error the gateway answers is one of these, with a stable `code`
 * (the chaincode's own code when the refusal came from a chaincode) so clients never parse prose.
 */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  txId?: string;
  /** Offending fields (validation) or the chaincode's structured details. */
  errors?: Array<{ field: string; message: string }>;
  details?: Record<string, unknown>;
  [extra: string]: unknown;
}

export class Problem extends Error {
  override name = 'Problem';
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly extra: Partial<ProblemBody> = {},
  ) {
    super(detail);
  }

  toBody(): ProblemBody {
    return {
      type: `https://cityledger.dev/problems/${this.code.toLowerCase().replace(/_/g, '-')}`,
      title: TITLES[this.status] ?? 'Error',
      status: this.status,
      code: this.code,
      detail: this.message,
      ...this.extra,
    };
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export const unauthorized = (detail = 'a valid API key is required (Authorization: Bearer <key>)') =>
  new Problem(401, 'UNAUTHENTICATED', detail);
export const forbidden = (detail: string) => new Problem(403, 'FORBIDDEN', detail);
export const notFound = (detail: string) => new Problem(404, 'NOT_FOUND', detail);
export const badRequest = (detail: string, errors?: Array<{ field: string; message: string }>) =>
  new Problem(400, 'INVALID_ARGUMENT', detail, errors ? { errors } : {});

/**
 * A query parameter as one string (undefined when absent). Given twice (`?status=a&status=b`) Express
 * parses it as an array, which no route means to take: refused, never passed on to a query.
 */
export function queryString(query: unknown, name: string): string | undefined {
  const v = (query as Record<string, unknown> | undefined)?.[name];
  if (v === undefined || typeof v === 'string') return v;
  throw badRequest('invalid query', [{ field: name, message: 'must be given once, as a string' }]);
}
