import { NetworkError } from './errors';

/** For tests: the NetworkError code `fn` throws, `success` when it returns, other errors described. */
export function errorCodeOf(fn: () => unknown, success: string): string {
  try {
    fn();
  } catch (err) {
    return err instanceof NetworkError ? err.code : `not a NetworkError: ${String(err)}`;
  }
  return success;
}
