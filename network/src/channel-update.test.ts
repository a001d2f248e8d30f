import { Config, ConfigGroup, planChanges } from './channel-update';
import * as log from './log';
import { errorCodeOf } from './testing';
import { channel, ChannelSpec, loadTopology, Topology } from './topology';

const group = (members: string[]): ConfigGroup => ({
  groups: Object.fromEntries(members.map((m) => [m, { groups: {}, policies: {}, values: {} }])),
  policies: {},
  values: {},
});

/** A decoded channel config holding these application orgs, orderer orgs and consenters (or SmartBFT). */
function configOf(orgs: string[], ordererOrgs: string[], consenters: string[] | 'BFT'): Config {
  const orderer = group(ordererOrgs);
  orderer.values.ConsensusType = {
    mod_policy: 'Admins',
    value:
      consenters === 'BFT'
        ? { type: 'BFT' }
        : {
            type: 'etcdraft',
            metadata: {
              consenters: consenters.map((a) => ({ host: a.split(':')[0], port: Number(a.split(':')[1]) })),
            },
          },
  };
  return {
    sequence: '3',
    channel_group: { groups: { Application: group(orgs), Orderer: orderer }, policies: {}, values: {} },
  };
}

describe('how up changes a running channel', () => {
  afterEach(() => jest.restoreAllMocks());
  const t: Topology = loadTopology();
  const health = (): ChannelSpec => channel(t, 'health');
  const raft = ['127.0.0.1:7050', '127.0.0.1:8050', '127.0.0.1:9050'];
  const described = (config: Config, ch = health()) => {
    const a = planChanges(t, ch, config);
    return {
      orgs: a.orgs,
      ordererOrgs: a.ordererOrgs.map((o) => o.mspId),
      consenters: a.consenters.map((o) => o.id),
    };
  };

  it('is nothing when the config holds what the topology lists', () => {
    const config = configOf(
      ['CityMSP', 'HospitalMSP', 'InsurerMSP'],
      ['CityMSP', 'HospitalMSP', 'InsurerMSP'],
      raft,
    );
    expect(described(config)).toEqual({ orgs: [], ordererOrgs: [], consenters: [] });
  });

  it('is the orgs the config lacks, and the orderers with their orgs', () => {
    const config = configOf(['CityMSP', 'HospitalMSP'], ['CityMSP', 'HospitalMSP'], raft.slice(0, 2));
    expect(described(config)).toEqual({
      orgs: ['InsurerMSP'],
      ordererOrgs: ['InsurerMSP'],
      consenters: ['orderer0.insurer'],
    });
    // An org already in the orderer group brings its new orderer only.
    const withGroup = configOf(
      ['CityMSP', 'HospitalMSP', 'InsurerMSP'],
      ['CityMSP', 'HospitalMSP', 'InsurerMSP'],
      raft.slice(0, 2),
    );
    expect(described(withGroup)).toEqual({ orgs: [], ordererOrgs: [], consenters: ['orderer0.insurer'] });
  });

  it('refuses consenters for a SmartBFT channel, and members while the topology drops one the channel has', () => {
    const warned = jest.spyOn(log, 'warn').mockImplementation(() => undefined);
    const bft = configOf(
      ['CityMSP', 'HospitalMSP', 'InsurerMSP'],
      ['CityMSP', 'HospitalMSP', 'InsurerMSP'],
      'BFT',
    );
    expect(errorCodeOf(() => planChanges(t, health(), bft), 'planned')).toBe('CHANNEL_UPDATE_UNSUPPORTED');

    // The port authority is on the channel but no longer listed, and the insurer is to be added.
    const dropped = { ...health(), orgs: ['city', 'hospital', 'insurer'] };
    const config = configOf(
      ['CityMSP', 'HospitalMSP', 'PortMSP'],
      ['CityMSP', 'HospitalMSP', 'InsurerMSP'],
      raft,
    );
    expect(errorCodeOf(() => planChanges(t, dropped, config), 'planned')).toBe('CHANNEL_UPDATE_UNSUPPORTED');
    // Pruning, it is removed instead, and the insurer added in the same plan.
    expect(planChanges(t, dropped, config, true).removed).toEqual({
      orgs: ['PortMSP'],
      ordererOrgs: [],
      consenters: [],
    });
    // With nothing to add, it is only warned about: the channel is left as it is.
    warned.mockClear();
    const unchanged = configOf(
      ['CityMSP', 'HospitalMSP', 'InsurerMSP', 'PortMSP'],
      ['CityMSP', 'HospitalMSP', 'InsurerMSP'],
      raft,
    );
    expect(described(unchanged)).toEqual({ orgs: [], ordererOrgs: [], consenters: [] });
    expect(warned).toHaveBeenCalledWith(
      expect.stringMatching(/the channel has PortMSP, which the topology no longer lists/),
    );
    expect(planChanges(t, health(), unchanged, true).removed.orgs).toEqual(['PortMSP']);
  });

  it('with prune, is the orgs and consenters the topology no longer lists too, consenters leaving SmartBFT refused', () => {
    // The insurer and its orderer left the health channel in the topology.
    const without = {
      ...health(),
      orgs: ['city', 'hospital'],
      orderers: ['city.orderer0', 'hospital.orderer0'],
    };
    const all = ['CityMSP', 'HospitalMSP', 'InsurerMSP'];
    expect(planChanges(t, without, configOf(all, all, raft), true).removed).toEqual({
      orgs: ['InsurerMSP'],
      ordererOrgs: ['InsurerMSP'],
      consenters: ['127.0.0.1:9050'],
    });
    expect(errorCodeOf(() => planChanges(t, without, configOf(all, all, 'BFT'), true), 'planned')).toBe(
      'CHANNEL_UPDATE_UNSUPPORTED',
    );
  });
});
