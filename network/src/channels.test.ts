import { channelProfile } from './channels';
import { Paths } from './paths';
import { channel, loadTopology } from './topology';

describe('channel profiles', () => {
  const t = loadTopology();
  const paths = new Paths(t);
  const policies = (name: string) => {
    const p = channelProfile(paths, t, channel(t, name));
    return { channel: p.Policies, application: p.Application.Policies, orderer: p.Orderer.Policies };
  };

  it("name the members of the channel's orgs in one Signature policy for Readers and Writers", () => {
    // health: City, Hospital and Insurer, each of which also runs an orderer; never the port authority.
    const health = policies('health');
    const members = "OR('CityMSP.member', 'HospitalMSP.member', 'InsurerMSP.member')";
    for (const group of [health.channel, health.application]) {
      expect(group.Readers).toEqual({ Type: 'Signature', Rule: members });
      expect(group.Writers).toEqual({ Type: 'Signature', Rule: members });
    }
    const city = policies('city');
    expect(city.application.Writers.Rule).toBe(
      "OR('CityMSP.member', 'HospitalMSP.member', 'InsurerMSP.member', 'PortMSP.member')",
    );
    // The channel's policies also cover orderer orgs; here every orderer org is an application org too.
    expect(city.channel.Writers.Rule).toBe(city.application.Writers.Rule);
  });

  it('keep majority admin policies, and the orderer group and block validation as Fabric defines them', () => {
    const { channel: c, application: a, orderer: o } = policies('city');
    for (const group of [c, a, o])
      expect(group.Admins).toEqual({ Type: 'ImplicitMeta', Rule: 'MAJORITY Admins' });
    expect(a.Endorsement).toEqual({ Type: 'ImplicitMeta', Rule: 'MAJORITY Endorsement' });
    expect(o.Writers).toEqual({ Type: 'ImplicitMeta', Rule: 'ANY Writers' });
    expect(o.BlockValidation).toEqual({ Type: 'ImplicitMeta', Rule: 'ANY Writers' });
  });
});
