import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { adminEnv, ordererArgs, ordererOrgs, writeProfileBlock } from './channels';
import { NetworkError } from './errors';
import { retry, run } from './exec';
import { info, warn } from './log';
import { Paths } from './paths';
import { ChannelSpec, channelOrderers, channelOrgs, OrgSpec, peers, Topology } from './topology';

/**
 * A channel's genesis block fixes its members. An org the topology adds to an existing channel joins
 * through a config update, as Fabric's own "adding an org to a channel" does it: the current config is
 * fetched from the ordering service, the org's group (MSP, policies, anchor peer) and the channel's
 * member policies are taken from the block configtxgen would write for the topology now, the
 * difference is signed by the admins of every member org and sent to the orderers. Its peers then join
 * from the genesis block and catch up; `deploy` has the org approve the chaincodes already committed.
 *
 * The members last seen in the channel's config are recorded beside its block, so an `up` that changes
 * nothing reads no config.
 */

/** The parts of a decoded config (configtxlator's JSON) this module reads and writes. */
interface ConfigGroup {
  groups: Record<string, ConfigGroup>;
  policies: Record<string, unknown>;
  values: Record<string, unknown>;
}
interface Config {
  channel_group: ConfigGroup;
}
interface DecodedBlock {
  data: { data: { payload: { data: { config: Config } } }[] };
}

/** The member policies `channelProfile` writes at both levels (channels.ts, memberPolicies). */
const MEMBER_POLICIES = ['Readers', 'Writers'];

/**
 * Adds the topology's orgs the channel does not have yet; returns their MSP IDs. `created`: the channel's
 * genesis block was written by this `up`, with every org of the topology in it.
 */
export async function addNewMembers(
  paths: Paths,
  t: Topology,
  ch: ChannelSpec,
  created: boolean,
): Promise<string[]> {
  const wanted = channelOrgs(t, ch).map((o) => o.mspId);
  const record = paths.channelMembers(ch.name);
  if (!created && sameMembers(readMembers(record), wanted)) return [];
  if (created) {
    writeMembers(record, wanted);
    return [];
  }
  const work = mkdtempSync(path.join(os.tmpdir(), `channel-${ch.name}-`));
  try {
    const current = await fetchConfig(paths, t, ch, work);
    const members = Object.keys(current.channel_group.groups.Application.groups);
    const added = wanted.filter((m) => !members.includes(m));
    const unlisted = members.filter((m) => !wanted.includes(m));
    if (unlisted.length > 0)
      warn(
        `channel ${ch.name}: ${unlisted.join(', ')} ${unlisted.length > 1 ? 'are members' : 'is a member'} but not in the topology; removing an org from a channel is not automated`,
      );
    if (added.length > 0) {
      refuseUnsupported(t, ch, current, added, unlisted);
      await updateConfig(paths, t, ch, current, added, work);
      info(`  channel ${ch.name}: ${added.join(', ')} added by a config update`);
    }
    writeMembers(record, [...members, ...added]);
    return added;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function refuseUnsupported(
  t: Topology,
  ch: ChannelSpec,
  current: Config,
  added: string[],
  unlisted: string[],
): void {
  const consenterOrgs = Object.keys(current.channel_group.groups.Orderer.groups);
  const newConsenters = ordererOrgs(t, ch).filter((o) => !consenterOrgs.includes(o.mspId));
  if (newConsenters.length > 0)
    throw new NetworkError(
      'CHANNEL_UPDATE_UNSUPPORTED',
      `channel ${ch.name}: ${newConsenters.map((o) => o.mspId).join(', ')} would add orderers to an existing channel, which up does not do (a consenter change is a config update of its own); keep the channel's orderers as they are`,
    );
  // The member policies are rewritten from the topology: an org it no longer lists would lose its access
  // while its group stays in the config.
  if (unlisted.length > 0)
    throw new NetworkError(
      'CHANNEL_UPDATE_UNSUPPORTED',
      `channel ${ch.name}: adding ${added.join(', ')} would rewrite the member policies without ${unlisted.join(', ')}, which the channel still has; list ${unlisted.length > 1 ? 'them' : 'it'} in the topology again first`,
    );
}

async function updateConfig(
  paths: Paths,
  t: Topology,
  ch: ChannelSpec,
  current: Config,
  added: string[],
  work: string,
): Promise<void> {
  const desiredBlock = path.join(work, 'desired.block');
  await writeProfileBlock(paths, t, ch, desiredBlock);
  const desired = (await decode<DecodedBlock>(paths, desiredBlock, 'common.Block')).data.data[0].payload.data
    .config;

  const updated = structuredClone(current);
  const application = updated.channel_group.groups.Application;
  for (const msp of added) application.groups[msp] = desired.channel_group.groups.Application.groups[msp];
  for (const name of MEMBER_POLICIES) {
    application.policies[name] = desired.channel_group.groups.Application.policies[name];
    updated.channel_group.policies[name] = desired.channel_group.policies[name];
  }

  const envelope = path.join(work, 'update-envelope.pb');
  await writeUpdateEnvelope(paths, ch, current, updated, work, envelope);
  // Adding a group needs a majority of the application orgs' admins, the member policies a majority of
  // the channel's (application and orderer orgs): every current member's admin signs.
  const memberIds = new Set([
    ...Object.keys(current.channel_group.groups.Application.groups),
    ...Object.keys(current.channel_group.groups.Orderer.groups),
  ]);
  const signers = t.orgs.filter((o) => memberIds.has(o.mspId));
  const [submitter, ...others] = signers;
  for (const org of others)
    await run(paths.binary('peer'), ['channel', 'signconfigtx', '-f', envelope], {
      env: orgAdminEnv(paths, t, org),
    });
  const orderer = channelOrderers(t, ch)[0];
  await run(
    paths.binary('peer'),
    ['channel', 'update', '-f', envelope, '-c', ch.name, ...ordererArgs(paths, orderer)],
    {
      env: orgAdminEnv(paths, t, submitter),
    },
  );
  // The orderers take the update asynchronously: the new orgs' peers join once it is in the channel.
  await retry(`the config of ${ch.name} holding ${added.join(', ')}`, async () => {
    const now = await fetchConfig(paths, t, ch, work);
    const missing = added.filter((m) => !now.channel_group.groups.Application.groups[m]);
    if (missing.length > 0) throw new Error(`${missing.join(', ')} not in the config yet`);
  });
}

/** The channel's current config, from the ordering service, read as an admin of a consenter's org. */
async function fetchConfig(paths: Paths, t: Topology, ch: ChannelSpec, work: string): Promise<Config> {
  const orderer = channelOrderers(t, ch)[0];
  const block = path.join(work, 'current.block');
  await run(
    paths.binary('peer'),
    ['channel', 'fetch', 'config', block, '-c', ch.name, ...ordererArgs(paths, orderer)],
    {
      env: orgAdminEnv(paths, t, orderer.org),
    },
  );
  return (await decode<DecodedBlock>(paths, block, 'common.Block')).data.data[0].payload.data.config;
}

/** The config update from `current` to `updated`, in the envelope `peer channel update` sends. */
async function writeUpdateEnvelope(
  paths: Paths,
  ch: ChannelSpec,
  current: Config,
  updated: Config,
  work: string,
  envelope: string,
): Promise<void> {
  const original = path.join(work, 'original.pb');
  const modified = path.join(work, 'modified.pb');
  const update = path.join(work, 'update.pb');
  await encode(paths, current, 'common.Config', original, work);
  await encode(paths, updated, 'common.Config', modified, work);
  await run(paths.binary('configtxlator'), [
    'compute_update',
    '--channel_id',
    ch.name,
    '--original',
    original,
    '--updated',
    modified,
    '--output',
    update,
  ]);
  const configUpdate = await decode<unknown>(paths, update, 'common.ConfigUpdate');
  // Header type 2 is CONFIG_UPDATE (common.HeaderType).
  const wrapped = {
    payload: {
      header: { channel_header: { channel_id: ch.name, type: 2 } },
      data: { config_update: configUpdate },
    },
  };
  await encode(paths, wrapped, 'common.Envelope', envelope, work);
}

async function decode<T>(paths: Paths, file: string, type: string): Promise<T> {
  // configtxlator opens /dev/stdout by name, which a Node child's stdout (a socket) refuses: a file.
  const output = `${file}.json`;
  await run(paths.binary('configtxlator'), [
    'proto_decode',
    '--input',
    file,
    '--type',
    type,
    '--output',
    output,
  ]);
  return JSON.parse(readFileSync(output, 'utf8')) as T;
}

async function encode(
  paths: Paths,
  value: unknown,
  type: string,
  output: string,
  work: string,
): Promise<void> {
  const input = path.join(work, `${path.basename(output)}.json`);
  writeFileSync(input, JSON.stringify(value));
  await run(paths.binary('configtxlator'), [
    'proto_encode',
    '--input',
    input,
    '--type',
    type,
    '--output',
    output,
  ]);
}

/** The `peer` CLI as the org's admin (the peer it names is not contacted by channel commands). */
function orgAdminEnv(paths: Paths, t: Topology, org: OrgSpec): NodeJS.ProcessEnv {
  return adminEnv(
    paths,
    peers(t).find((p) => p.org.name === org.name)!,
  );
}

function readMembers(file: string): string[] | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as string[]) : undefined;
}

function writeMembers(file: string, members: string[]): void {
  writeFileSync(file, `${JSON.stringify([...new Set(members)].sort())}\n`);
}

function sameMembers(recorded: string[] | undefined, wanted: string[]): boolean {
  return (
    recorded !== undefined &&
    recorded.length === new Set(wanted).size &&
    wanted.every((m) => recorded.includes(m))
  );
}
