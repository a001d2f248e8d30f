/**
 * Security suite: a proposal's timestamp is the client's, signed into it, and chaincode takes it as the
 * time (audit entries, access expiry, credential validity). Every peer refuses a proposal dated further
 * than PROPOSAL_TIME_WINDOW from its clock (Fabric's TimeWindowCheck filter, set by `up`), so a client
 * that signs its own proposals cannot date them at will. The proposals here are re-dated by hand after
 * the library built them, then signed as the library would; one re-dated by a minute is the control
 * that the re-dating itself is sound.
 */
import { createPrivateKey } from 'node:crypto';
import { Gateway, Proposal } from '@hyperledger/fabric-gateway';
import { common, gateway as gatewayProtos, peer } from '@hyperledger/fabric-protos';
import { newLowSSigner } from '@cityledger/gateway';
import { PROPOSAL_TIME_WINDOW } from '@cityledger/network';
import { closeConnections, connectAs, ensureNetwork, orgAdmin, TestUser } from '../support/live';

const ORGS = ['city', 'hospital', 'insurer', 'port'];
const minute = 60_000;

/** `proposal` with its channel header's timestamp moved by `offsetMs`, signed by `user` as the client would. */
async function redated(gw: Gateway, user: TestUser, proposal: Proposal, offsetMs: number): Promise<Proposal> {
  const proposed = gatewayProtos.ProposedTransaction.deserializeBinary(proposal.getBytes());
  const signed = proposed.getProposal()!;
  const body = peer.Proposal.deserializeBinary(signed.getProposalBytes_asU8());
  const header = common.Header.deserializeBinary(body.getHeader_asU8());
  const channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
  const timestamp = channelHeader.getTimestamp()!;
  const ms = timestamp.getSeconds() * 1000 + Math.floor(timestamp.getNanos() / 1e6) + offsetMs;
  timestamp.setSeconds(Math.floor(ms / 1000));
  timestamp.setNanos((ms % 1000) * 1e6);
  channelHeader.setTimestamp(timestamp);
  header.setChannelHeader(channelHeader.serializeBinary());
  body.setHeader(header.serializeBinary());
  signed.setProposalBytes(body.serializeBinary());
  proposed.setProposal(signed);
  const unsigned = gw.newProposal(proposed.serializeBinary());
  // Connected with hash.none, the digest is the proposal itself; the signer hashes it.
  const signature = await newLowSSigner(createPrivateKey(user.privateKey))(unsigned.getDigest());
  return gw.newSignedProposal(proposed.serializeBinary(), signature);
}

/** What the peers said when they refused `call`, one message per peer that answered. */
async function refusals(call: Promise<unknown>): Promise<string[]> {
  try {
    await call;
  } catch (err) {
    const details = (err as { details?: { message?: string }[] }).details ?? [];
    return details.length > 0 ? details.map((d) => d.message ?? '') : [(err as Error).message];
  }
  throw new Error('expected the peers to refuse the proposal, but it was accepted');
}

const TIME_REFUSAL = new RegExp(
  `incorrect timestamp .* peer\\.authentication\\.timewindow ${PROPOSAL_TIME_WINDOW}0s`,
);

/** A probe no-op of the identity chaincode (on every org's peer), as `org`'s admin through its own peer. */
function probe(org: string) {
  const admin = orgAdmin(org);
  const gw = connectAs(admin);
  const noop = () => gw.getNetwork('city').getContract('identity').newProposal('probe:Noop');
  const get = () =>
    gw
      .getNetwork('city')
      .getContract('identity')
      .newProposal('probe:Get', { arguments: ['absent'] });
  return { admin, gw, noop, get };
}

beforeAll(async () => {
  await ensureNetwork();
});

afterAll(() => closeConnections());

describe("every peer holds a proposal's timestamp to its own clock", () => {
  it.each(ORGS)("%s's peer endorses a proposal dated a minute ago (the control)", async (org) => {
    const { admin, gw, noop } = probe(org);
    await expect((await redated(gw, admin, noop(), -minute)).endorse()).resolves.toBeDefined();
  });

  it.each(ORGS)(
    "%s's peer refuses a proposal back-dated by ten minutes (inside Fabric's default window)",
    async (org) => {
      const { admin, gw, noop } = probe(org);
      const said = await refusals((await redated(gw, admin, noop(), -10 * minute)).endorse());
      expect(said).toEqual([expect.stringMatching(TIME_REFUSAL)]);
    },
  );

  it('refuses to evaluate a query dated ten minutes ahead (an access read "before" its expiry)', async () => {
    const { admin, gw, get } = probe('city');
    const said = await refusals((await redated(gw, admin, get(), 10 * minute)).evaluate());
    expect(said.join('\n')).toMatch(TIME_REFUSAL);
  });
});
