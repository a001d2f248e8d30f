import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/** One chaincode server: the package it serves, the port it listens on, and how to run it. */
const ServerEntry = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    command: Type.String({ minLength: 1 }),
    args: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);
const ServersFile = Type.Object({ servers: Type.Array(ServerEntry) }, { additionalProperties: false });

export type ServerEntry = Static<typeof ServerEntry>;

/**
 * The servers a chaincode's supervisor runs, in the state dir: the first is the package the committed
 * definition names (live); a second exists only during an upgrade, until the new definition commits.
 */
export function readServers(file: string): ServerEntry[] {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!Value.Check(ServersFile, parsed)) {
    const first = [...Value.Errors(ServersFile, parsed)][0];
    throw new Error(`not a servers file: ${first?.path || '/'} ${first?.message ?? ''}`.trim());
  }
  return parsed.servers;
}

/** Written whole and renamed into place: the supervisor never reads half a file. */
export function writeServers(file: string, servers: ServerEntry[]): void {
  const staging = `${file}.${process.pid}.tmp`;
  writeFileSync(staging, JSON.stringify({ servers }, null, 2), { mode: 0o600 });
  renameSync(staging, file);
}
