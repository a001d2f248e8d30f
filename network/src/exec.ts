import { spawn } from 'node:child_process';
import { redactedCommand, redactText } from './redact';

/**
 * A command that failed. The CLI prints the message, so it never holds a secret: `command` is the
 * redacted command line (see redactedCommand) and URL credentials in the output's tail are hidden too.
 */
export class CommandError extends Error {
  override name = 'CommandError';
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly output: string,
  ) {
    const tail = output.trim().split('\n').slice(-15).join('\n');
    super(redactText(`${command} failed (exit ${exitCode}):\n${tail}`));
  }
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string;
}

/** Runs a command to completion and returns its stdout; a non-zero exit throws with the output's tail. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const command = redactedCommand(cmd, args);
    child.on('error', (err) => reject(new CommandError(command, null, err.message)));
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new CommandError(command, code, `${stdout}\n${stderr}`));
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries `fn` until it resolves or `timeoutMs` passes; the last error is rethrown. */
export async function retry<T>(
  what: string,
  fn: () => Promise<T>,
  timeoutMs = 30000,
  intervalMs = 300,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) {
        const reason = err instanceof Error ? err.message : String(err);
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${reason}`);
      }
      await sleep(intervalMs);
    }
  }
}
