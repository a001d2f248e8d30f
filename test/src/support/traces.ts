/**
 * Searching raw bytes (blocks, ledger files on disk) for traces of private data: is a given text there at
 * all, and where. Used to show that private values never reach the public ledger or a non-member's peer.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const isDigit = (b: number | undefined) => b !== undefined && b >= 0x30 && b <= 0x39;

/**
 * Whether the decimal `text` (e.g. "26.104") occurs in `bytes` as a number of its own: not inside a longer
 * number (a digit or '.' on either side), and not as the seconds of an ISO-8601 time (`…:26.104Z`, which is
 * a clock reading such as a transaction time, not a value).
 */
export function containsNumber(bytes: Buffer, text: string): boolean {
  const needle = Buffer.from(text, 'utf8');
  for (let i = bytes.indexOf(needle); i >= 0; i = bytes.indexOf(needle, i + 1)) {
    const before = i > 0 ? bytes[i - 1] : undefined;
    const after = bytes[i + needle.length] as number | undefined;
    if (isDigit(before) || before === 0x2e) continue;
    if (isDigit(after) || after === 0x2e) continue;
    if (after === 0x5a /* Z */ && before === 0x3a /* : */) continue;
    return true;
  }
  return false;
}

/** Every regular file under `dir` (recursively). */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/**
 * For each needle, the files under `dir` whose bytes contain it (files that vanish while reading, as
 * LevelDB compacts, are skipped). Bytes as stored: compressed LevelDB tables may hide a text, so pair an
 * "absent here" with a control showing the same search finds it where it must be.
 */
export function filesContaining(dir: string, needles: readonly string[]): Map<string, string[]> {
  const found = new Map<string, string[]>(needles.map((n) => [n, []]));
  const buffers = needles.map((n) => [n, Buffer.from(n, 'utf8')] as const);
  for (const file of filesUnder(dir)) {
    let bytes: Buffer;
    try {
      if (statSync(file).size > 512 * 1024 * 1024) continue;
      bytes = readFileSync(file);
    } catch {
      continue;
    }
    for (const [text, needle] of buffers) if (bytes.includes(needle)) found.get(text)!.push(file);
  }
  return found;
}
