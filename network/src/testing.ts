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

/**
 * For tests that point CITYLEDGER_STATE_DIR at a scratch dir: remembers its value now and returns
 * what puts it back, so no test leaves the next one looking at another state dir.
 */
export function rememberStateDir(): () => void {
  const saved = process.env.CITYLEDGER_STATE_DIR;
  return () => {
    if (saved === undefined) delete process.env.CITYLEDGER_STATE_DIR;
    else process.env.CITYLEDGER_STATE_DIR = saved;
  };
}
