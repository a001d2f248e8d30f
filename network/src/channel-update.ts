import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { adminEnv, joinOrderer, leaveChannel, ordererArgs, ordererOrgs, writeProfileBlock } from './channels';
import { NetworkError } from './errors';
import { retry, run } from './exec';
import { info, warn } from './log';
import { waitRaftMember } from './nodes';
import { Paths } from './paths';
import {
  ChannelSpec,
  channelOrderers,
  channelOrgs,
  Node,
  OrdererSpec,
  orderers,
  OrgSpec,
  peers,
  Topology,
} from './topology';

/**
 * A channel's genesis block fixes its members. Orgs and orderers the topology adds to an existing
 * channel join through config updates, as Fabric's "adding an org to a channel" and "adding an orderer
 * to a channel" do it: the current config is fetched from the ordering service; what is added (an org's
 * group with its MSP, policies and anchor peer or orderer endpoints; the channel's member policies; a
 * consenter) is taken from the block configtxgen would write for the topology now; each difference is
 * signed by the admins of every member org and sent to the orderers. The orgs come first, in one update;
 * then each new consenter in an update of its own (etcdraft changes one at a time), after which the
 * orderer joins from the latest config block and is waited for until its cluster has it active. New
 * peers join afterwards from the genesis block and catch up; `deploy` has their orgs approve the
 * chaincodes already committed.
 *
 * What the topology no longer lists goes only when asked (`up --prune`): each consenter in an update of
 * its own, the orderer then leaving the channel, before the update that removes the orgs' groups.
 * Otherwise it is warned about, and additions beside it are refused (they would rewrite the member
 * policies without it).
 *
 * What the channel's config holds is recorded beside its block after each `up`, so an `up` that changes
 * nothing reads no config.
 */

/** The parts of a decoded config (configtxlator's JSON) this module reads and writes. */
export interface ConfigGroup {
  groups: Record<string, ConfigGroup>;
  policies: Record<string, unknown>;
  values: Record<string, ConfigValue<unknown>>;
}
export interface ConfigValue<T> {
  mod_policy: string;
  value: T;
}
export interface Config {
  sequence: string;
  channel_group: ConfigGroup;
}
interface Consenter {
  host: string;
  port: number;
}
interface DecodedBlock {
  data: { data: { payload: { data: { config: Config } } }[] };
}

/** A channel's members: application orgs by MSP ID, consenters by address. */
export interface Members {
  orgs: string[];
  consenters: string[];
}

/** The member policies `channelProfile` writes at both levels (channels.ts, memberPolicies). */
const MEMBER_POLICIES = ['Readers', 'Writers'];

const consenterAddress = (c: Consenter) => `${c.host}:${c.port}`;

function wantedMembers(t: Topology, ch: ChannelSpec): Members {
  return {
    orgs: channelOrgs(t, ch).map((o) => o.mspId),
    consenters: channelOrderers(t, ch).map((o) => o.address),
  };
}

function membersOf(config: Config): Members {
  return {
    orgs: Object.keys(config.channel_group.groups.Application.groups),
    consenters: consentersOf(config)?.map(consenterAddress) ?? [],
  };
}

/** The etcdraft consenters of a config; undefined for another consensus (SmartBFT). */
function consentersOf(config: Config): Consenter[] | undefined {
  const type = config.channel_group.groups.Orderer.values.ConsensusType as ConfigValue<{
    type: string;
    metadata?: { consenters: Consenter[] };
  }>;
  return type.value.type === 'etcdraft' ? type.value.metadata!.consenters : undefined;
}

/** How a channel's config is to change to hold what the topology lists for it. */
export interface Changes {
  /** Application orgs to add, by MSP ID. */
  orgs: string[];
  /** Orgs new to the channel's orderer group (their orderers are among `consenters`). */
  ordererOrgs: OrgSpec[];
  /** New consenters, each added in an update of its own. */
  consenters: Node<OrdererSpec>[];
  /** With `prune`: what the channel has and the topology no longer lists for it, to remove. */
  removed: { orgs: string[]; ordererOrgs: string[]; consenters: string[] };
}

const changesNone = (c: Changes) =>
  c.orgs.length + c.ordererOrgs.length + c.consenters.length === 0 &&
  c.removed.orgs.length + c.removed.ordererOrgs.length + c.removed.consenters.length === 0;

/**
 * How the channel's config is to change. What the channel has and the topology no longer lists is
 * removed with `prune` only, and otherwise warned about. Refuses with CHANNEL_UPDATE_UNSUPPORTED, before
 * anything changes, what `up` does not do.
 */
export function planChanges(t: Topology, ch: ChannelSpec, config: Config, prune = false): Changes {
  const members = membersOf(config);
  const wanted = wantedMembers(t, ch);
  const listedOrdererOrgs = ordererOrgs(t, ch);
  const { Application, Orderer } = config.channel_group.groups;
  const unlisted = {
    orgs: Object.keys(Application.groups).filter((m) => !wanted.orgs.includes(m)),
    ordererOrgs: Object.keys(Orderer.groups).filter((m) => !listedOrdererOrgs.some((o) => o.mspId === m)),
    consenters: members.consenters.filter((c) => !wanted.consenters.includes(c)),
  };
  const changes: Changes = {
    orgs: wanted.orgs.filter((m) => !members.orgs.includes(m)),
    ordererOrgs: listedOrdererOrgs.filter((o) => !Orderer.groups[o.mspId]),
    consenters: channelOrderers(t, ch).filter((o) => !members.consenters.includes(o.address)),
    removed: prune ? unlisted : { orgs: [], ordererOrgs: [], consenters: [] },
  };
  const unlistedOrgs = [...new Set([...unlisted.orgs, ...unlisted.ordererOrgs])];
  if (!prune && unlistedOrgs.length > 0)
    warn(
      `channel ${ch.name}: the channel has ${unlistedOrgs.join(', ')}, which the topology no longer lists for it; \`up --prune\` removes ${unlistedOrgs.length > 1 ? 'them' : 'it'}`,
    );
  if (!prune && unlisted.consenters.length > 0)
    warn(
      `channel ${ch.name}: consenter ${unlisted.consenters.join(', ')} is not in the topology; \`up --prune\` removes it`,
    );

  const refuse = (why: string) =>
    new NetworkError('CHANNEL_UPDATE_UNSUPPORTED', `channel ${ch.name}: ${why}`);
  if ((changes.consenters.length > 0 || changes.removed.consenters.length > 0) && !consentersOf(config))
    throw refuse(
      "changing a SmartBFT channel's consenters is not automated (its consenter mapping is a config update of its own); keep the channel's orderers as they are",
    );
  // Adding an org rewrites the member policies from the topology: an org it no longer lists would lose
  // its access while its group stays in the config.
  if (!prune && unlistedOrgs.length > 0 && (changes.orgs.length > 0 || changes.ordererOrgs.length > 0))
    throw refuse(
      `adding members would rewrite the member policies without ${unlistedOrgs.join(', ')}, which the channel still has; list ${unlistedOrgs.length > 1 ? 'them' : 'it'} in the topology again, or remove ${unlistedOrgs.length > 1 ? 'them' : 'it'} with \`up --prune\``,
    );
  return changes;
}

/**
 * Makes the channel hold the orgs and orderers of the topology: adds what it lacks and, with `prune`,
 * removes what the topology no longer lists. `created`: the channel's genesis block was written by this
 * `up`, with all of them in it.
 */
export async function updateMembers(
  paths: Paths,
  t: Topology,
  ch: ChannelSpec,
  created: boolean,
  prune = false,
): Promise<void> {
  const wanted = wantedMembers(t, ch);
  const record = paths.channelMembers(ch.name);
  if (created) return writeMembers(record, wanted);
  if (sameMembers(readMembers(record), wanted)) return;
  const work = mkdtempSync(path.join(os.tmpdir(), `channel-${ch.name}-`));
  try {
    writeMembers(record, await new ChannelUpdate(paths, t, ch, work).apply(prune));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

class ChannelUpdate {
  /** The orderer this update talks to (fetchConfig). */
  private via?: Node<OrdererSpec>;

  constructor(
    private readonly paths: Paths,
    private readonly t: Topology,
    private readonly ch: ChannelSpec,
    private readonly work: string,
  ) {}

  /**
   * Consenters leave first, one per update; then one update for the orgs (added, removed) and the
   * member policies; then new consenters, one per update. Returns the members the channel has afterwards.
   */
  async apply(prune: boolean): Promise<Members> {
    const { t, ch } = this;
    let current = (await this.fetchConfig()).config;
    const changes = planChanges(t, ch, current, prune);
    if (changesNone(changes)) return membersOf(current);

    const desired = await this.desiredConfig();
    for (const address of changes.removed.consenters)
      current = await this.removeConsenter(current, desired, address);
    const { orgs, ordererOrgs: newOrdererOrgs, removed } = changes;
    if (orgs.length + newOrdererOrgs.length + removed.orgs.length + removed.ordererOrgs.length > 0) {
      const updated = structuredClone(current);
      const { Application, Orderer } = updated.channel_group.groups;
      for (const msp of orgs) Application.groups[msp] = desired.channel_group.groups.Application.groups[msp];
      // Fabric wants an orderer org's endpoints from the start: until its orderers join (next), peers
      // that try them find no channel there and fetch blocks from another orderer.
      for (const org of newOrdererOrgs)
        Orderer.groups[org.mspId] = desired.channel_group.groups.Orderer.groups[org.mspId];
      for (const msp of removed.orgs) delete Application.groups[msp];
      for (const msp of removed.ordererOrgs) delete Orderer.groups[msp];
      for (const name of MEMBER_POLICIES) {
        Application.policies[name] = desired.channel_group.groups.Application.policies[name];
        updated.channel_group.policies[name] = desired.channel_group.policies[name];
      }
      current = await this.submit(current, updated);
      const done = [
        orgs.length > 0 ? `${orgs.join(', ')} added to the members` : '',
        newOrdererOrgs.length > 0
          ? `${newOrdererOrgs.map((o) => o.mspId).join(', ')} to the orderer orgs`
          : '',
        removed.orgs.length > 0 ? `${removed.orgs.join(', ')} removed from the members` : '',
        removed.ordererOrgs.length > 0 ? `${removed.ordererOrgs.join(', ')} from the orderer orgs` : '',
      ];
      info(`  channel ${ch.name}: ${done.filter(Boolean).join(', ')} by a config update`);
    }
    for (const orderer of changes.consenters) current = await this.addConsenter(current, desired, orderer);
    return membersOf(current);
  }

  /**
   * One consenter fewer; then the orderer, if the topology still has it, leaves the channel (its copy of
   * the channel's ledger goes). An orderer the topology no longer has is left to its operator.
   */
  private async removeConsenter(current: Config, desired: Config, address: string): Promise<Config> {
    const updated = structuredClone(current);
    const consenters = consentersOf(updated)!;
    consenters.splice(
      consenters.findIndex((c) => consenterAddress(c) === address),
      1,
    );
    const orderer = orderers(this.t).find((o) => o.address === address);
    // Where peers fetch blocks: the org's orderers as the topology lists them now.
    const endpoints =
      orderer && desired.channel_group.groups.Orderer.groups[orderer.org.mspId]?.values.Endpoints;
    if (orderer && endpoints)
      updated.channel_group.groups.Orderer.groups[orderer.org.mspId].values.Endpoints = endpoints;
    const config = await this.submit(current, updated);
    if (orderer) await leaveChannel(this.paths, this.ch, orderer);
    else
      warn(
        `channel ${this.ch.name}: ${address} is no consenter any more; the topology does not have it, so it leaves the channel by its operator's hand (osnadmin channel remove)`,
      );
    info(
      `  channel ${this.ch.name}: ${orderer?.id ?? address} removed from the consenters by a config update`,
    );
    return config;
  }

  /** One consenter more, then the orderer joins from the config block that names it. */
  private async addConsenter(current: Config, desired: Config, orderer: Node<OrdererSpec>): Promise<Config> {
    const updated = structuredClone(current);
    const { address } = orderer;
    const consenter = consentersOf(desired)!.find((c) => consenterAddress(c) === address)!;
    consentersOf(updated)!.push(consenter);
    // Where peers fetch blocks: the org's orderers, this one included.
    updated.channel_group.groups.Orderer.groups[orderer.org.mspId].values.Endpoints =
      desired.channel_group.groups.Orderer.groups[orderer.org.mspId].values.Endpoints;
    const config = await this.submit(current, updated);
    const { block } = await this.fetchConfig();
    await joinOrderer(this.paths, this.ch, orderer, block);
    await waitRaftMember(this.paths, orderer, [this.ch.name]);
    info(`  channel ${this.ch.name}: ${orderer.id} added to the consenters by a config update`);
    return config;
  }

  /** The channel's config as configtxgen would write it for the topology now. */
  private async desiredConfig(): Promise<Config> {
    const block = path.join(this.work, 'desired.block');
    await writeProfileBlock(this.paths, this.t, this.ch, block);
    return (await this.decode<DecodedBlock>(block, 'common.Block')).data.data[0].payload.data.config;
  }

  /**
   * Sends the update from `current` to `updated`, signed by every member org's admin: adding a group
   * needs a majority of the application (or orderer) orgs' admins, the channel's member policies a
   * majority of both groups', a consenter the orderer orgs'. Returns the config once the channel has it.
   */
  private async submit(current: Config, updated: Config): Promise<Config> {
    const { paths, t, ch } = this;
    const envelope = await this.updateEnvelope(current, updated);
    const memberIds = new Set([
      ...Object.keys(current.channel_group.groups.Application.groups),
      ...Object.keys(current.channel_group.groups.Orderer.groups),
    ]);
    const [submitter, ...others] = t.orgs.filter((o) => memberIds.has(o.mspId));
    for (const org of others)
      await run(paths.binary('peer'), ['channel', 'signconfigtx', '-f', envelope], {
        env: orgAdminEnv(paths, t, org),
      });
    await run(
      paths.binary('peer'),
      ['channel', 'update', '-f', envelope, '-c', ch.name, ...ordererArgs(paths, this.via!)],
      { env: orgAdminEnv(paths, t, submitter) },
    );
    // The orderers order the update like a transaction: the next step waits until the channel has it.
    return retry(`the config update of ${ch.name} ordered`, async () => {
      const { config } = await this.fetchConfig();
      if (Number(config.sequence) <= Number(current.sequence))
        throw new Error(`config sequence still ${config.sequence}`);
      return config;
    });
  }

  /**
   * The channel's latest config block, from the ordering service, read as an admin of the answering
   * orderer's org: the first of the channel's orderers that answers (one the topology adds does not yet),
   * which the update then goes on talking to.
   */
  private async fetchConfig(): Promise<{ config: Config; block: string }> {
    const { paths, t, ch } = this;
    const block = path.join(this.work, 'latest-config.block');
    const fetchFrom = (orderer: Node<OrdererSpec>) =>
      run(
        paths.binary('peer'),
        ['channel', 'fetch', 'config', block, '-c', ch.name, ...ordererArgs(paths, orderer)],
        {
          env: orgAdminEnv(paths, t, orderer.org),
        },
      );
    if (this.via) await fetchFrom(this.via);
    else {
      const errors: string[] = [];
      for (const orderer of channelOrderers(t, ch)) {
        const answered = await fetchFrom(orderer).then(
          () => true,
          (err: Error) => {
            errors.push(err.message);
            return false;
          },
        );
        if (answered) {
          this.via = orderer;
          break;
        }
      }
      if (!this.via) throw new Error(`no orderer of ${ch.name} gave its config:\n${errors.join('\n')}`);
    }
    return {
      config: (await this.decode<DecodedBlock>(block, 'common.Block')).data.data[0].payload.data.config,
      block,
    };
  }

  /** The config update from `current` to `updated`, in the envelope `peer channel update` sends. */
  private async updateEnvelope(current: Config, updated: Config): Promise<string> {
    const file = (name: string) => path.join(this.work, name);
    await this.encode(current, 'common.Config', file('original.pb'));
    await this.encode(updated, 'common.Config', file('updated.pb'));
    await run(this.paths.binary('configtxlator'), [
      'compute_update',
      '--channel_id',
      this.ch.name,
      '--original',
      file('original.pb'),
      '--updated',
      file('updated.pb'),
      '--output',
      file('update.pb'),
    ]);
    const configUpdate = await this.decode<unknown>(file('update.pb'), 'common.ConfigUpdate');
    // Header type 2 is CONFIG_UPDATE (common.HeaderType).
    const envelope = {
      payload: {
        header: { channel_header: { channel_id: this.ch.name, type: 2 } },
        data: { config_update: configUpdate },
      },
    };
    await this.encode(envelope, 'common.Envelope', file('update-envelope.pb'));
    return file('update-envelope.pb');
  }

  private async decode<T>(file: string, type: string): Promise<T> {
    // configtxlator opens /dev/stdout by name, which a Node child's stdout (a socket) refuses: a file.
    const output = `${file}.json`;
    await run(this.paths.binary('configtxlator'), [
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

  private async encode(value: unknown, type: string, output: string): Promise<void> {
    const input = `${output}.json`;
    writeFileSync(input, JSON.stringify(value));
    await run(this.paths.binary('configtxlator'), [
      'proto_encode',
      '--input',
      input,
      '--type',
      type,
      '--output',
      output,
    ]);
  }
}

/** The `peer` CLI as the org's admin (the peer it names is not contacted by channel commands). */
function orgAdminEnv(paths: Paths, t: Topology, org: OrgSpec): NodeJS.ProcessEnv {
  return adminEnv(
    paths,
    peers(t).find((p) => p.org.name === org.name)!,
  );
}

/** The channel's members as `up` last saw them in its config (undefined before any `up` recorded them). */
export function recordedMembers(paths: Paths, channel: string): Members | undefined {
  return readMembers(paths.channelMembers(channel));
}

/** What an earlier `up` recorded; undefined when there is no record (or one of another form). */
function readMembers(file: string): Members | undefined {
  if (!existsSync(file)) return undefined;
  const recorded = JSON.parse(readFileSync(file, 'utf8')) as Partial<Members>;
  return Array.isArray(recorded.orgs) && Array.isArray(recorded.consenters)
    ? (recorded as Members)
    : undefined;
}

function writeMembers(file: string, members: Members): void {
  const sorted = (items: string[]) => [...new Set(items)].sort();
  writeFileSync(
    file,
    `${JSON.stringify({ orgs: sorted(members.orgs), consenters: sorted(members.consenters) })}\n`,
  );
}

function sameMembers(recorded: Members | undefined, wanted: Members): boolean {
  const same = (a: string[], b: string[]) => a.length === new Set(b).size && b.every((x) => a.includes(x));
  return (
    recorded !== undefined && same(recorded.orgs, wanted.orgs) && same(recorded.consenters, wanted.consenters)
  );
}
