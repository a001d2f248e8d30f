/** Step logging for the CLI: every step is named and timed, so a slow or failing step is obvious. */
const started = Date.now();

export function info(message: string): void {
  process.stdout.write(`${message}\n`);
}

export function warn(message: string): void {
  process.stderr.write(`warning: ${message}\n`);
}

export async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  process.stdout.write(`• ${name} …\n`);
  try {
    const result = await fn();
    process.stdout.write(`  ✓ ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
    return result;
  } catch (err) {
    process.stdout.write(`  ✗ ${name}\n`);
    throw err;
  }
}

export function elapsedSeconds(): number {
  return (Date.now() - started) / 1000;
}
