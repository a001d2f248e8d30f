/**
 * One raw HTTP request to the shared gateway with a client-side deadline, so a stuck request is a failure
 * and not a hung suite. The body goes as given (malformed JSON, a huge body, any content type); the
 * answer is kept whole. Users and keys come from ../support/rest (createUser, admins).
 */
import { SHARED_GATEWAY } from '../support/rest';

export interface RawRequest {
  method: string;
  /** Path and query, already encoded. */
  path: string;
  key?: string;
  body?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface RawAnswer {
  status: number;
  contentType: string;
  text: string;
  /** The parsed body when it is JSON. */
  json?: Record<string, unknown>;
}

/** Thrown when the gateway has not answered completely within the deadline. */
export class StuckRequest extends Error {
  constructor(request: RawRequest, timeoutMs: number) {
    super(`${request.method} ${request.path.slice(0, 160)}: no answer within ${timeoutMs} ms`);
    this.name = 'StuckRequest';
  }
}

export async function send(req: RawRequest, timeoutMs = 10000): Promise<RawAnswer> {
  const headers: Record<string, string> = { ...req.headers };
  if (req.key) headers.authorization = `Bearer ${req.key}`;
  if (req.contentType) headers['content-type'] = req.contentType;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(SHARED_GATEWAY + req.path, {
      method: req.method,
      headers,
      ...(req.body !== undefined ? { body: req.body } : {}),
      signal,
    });
    const text = await res.text();
    const contentType = res.headers.get('content-type') ?? '';
    let json: Record<string, unknown> | undefined;
    try {
      json = /json/.test(contentType) ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, contentType, text, ...(json ? { json } : {}) };
  } catch (err) {
    if (signal.aborted) throw new StuckRequest(req, timeoutMs);
    throw err;
  }
}
