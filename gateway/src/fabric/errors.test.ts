import { chaincodeError } from './fake';
import { isEndorsementDisagreement, isPeersApart, parseChaincodeError, ReadConflict, toProblem, TxInvalid } from './errors';

const fabricError = (name: string, code: number, messages: string[] = [], extra: object = {}) =>
  Object.assign(new Error(`${code} some gRPC text`), { name, code, details: messages.map((message) => ({ address: 'peer0:7051', mspId: 'CityMSP', message })), ...extra });

describe('error mapping', () => {
  it.each([
    ['INVALID_ARGUMENT', 400],
    ['FORBIDDEN', 403],
    ['NOT_FOUND', 404],
    ['CONFLICT', 409],
    ['FAILED_PRECONDITION', 422],
    ['INTERNAL', 500],
    ['SOMETHING_NEW', 500],
  ])('chaincode %s → %i with the code, message and details', (code, status) => {
    const p = toProblem(chaincodeError(code, 'why', { id: 'x' }, 'tx1'));
    expect(p.status).toBe(status);
    expect(p.toBody()).toMatchObject({ code, detail: 'why', details: { id: 'x' }, txId: 'tx1', status });
  });

  it('finds the chaincode JSON after any prefix, in details or in the message (evaluate)', () => {
    const body = '{"code":"NOT_FOUND","details":{},"message":"no claim c1"}';
    expect(parseChaincodeError(`chaincode response 500, ${body}`)?.code).toBe('NOT_FOUND');
    expect(toProblem(fabricError('GatewayError', 2, [`error in simulation: transaction returned with failure: ${body}`])).status).toBe(404);
    expect(toProblem(Object.assign(new Error(`2 UNKNOWN: evaluate call to endorser returned error: ${body}`), { name: 'GatewayError', code: 2, details: [] })).status).toBe(404);
    expect(parseChaincodeError('no json here')).toBeUndefined();
    expect(parseChaincodeError('{"not":"coded"}')).toBeUndefined();
    expect(parseChaincodeError('{broken')).toBeUndefined();
  });

  it('maps gRPC failures without chaincode JSON', () => {
    expect(toProblem(fabricError('EndorseError', 14, [], { transactionId: 't' })).toBody()).toMatchObject({ status: 503, code: 'NO_ENDORSERS', txId: 't' });
    expect(toProblem(fabricError('CommitStatusError', 4, [], { transactionId: 't' })).toBody()).toMatchObject({ status: 504, code: 'TIMEOUT', txId: 't' });
    expect(toProblem(fabricError('SubmitError', 4), 'given').toBody()).toMatchObject({ status: 504, txId: 'given' });
    expect(toProblem(fabricError('EndorseError', 9, ['access denied: channel [health] creator org [PortMSP]'])).status).toBe(403);
    expect(toProblem(fabricError('EndorseError', 9, ['chaincode definition for medical not found'])).toBody()).toMatchObject({ status: 503, code: 'CHAINCODE_UNAVAILABLE' });
    expect(toProblem(fabricError('EndorseError', 10, ['chaincode crashed'])).toBody()).toMatchObject({ status: 502, code: 'FABRIC_ERROR' });
    // The CCaaS chaincode server is down: the peer cannot launch (connect to) it.
    const down =
      'error in simulation: failed to execute transaction 88bd: could not launch chaincode mobility_e87e:13a7: connection to mobility_e87e:13a7 failed: error cannot create connection for mobility_e87e:13a7: error creating grpc connection to 127.0.0.1:7102: failed to create new connection: connection error: desc = "transport: error while dialing: dial tcp 127.0.0.1:7102: connect: connection refused"';
    expect(toProblem(fabricError('EndorseError', 10, [down])).toBody()).toMatchObject({ status: 503, code: 'CHAINCODE_UNAVAILABLE' });
    // The gateway's clock is off: every peer refuses its proposals (Fabric's TimeWindowCheck).
    const skew = 'request unauthorized due to incorrect timestamp 2026-11-27T12:05:40Z, peer time 2026-11-27T13:05:40Z, peer.authentication.timewindow 5m0s';
    expect(toProblem(fabricError('EndorseError', 10, [skew])).toBody()).toMatchObject({ status: 503, code: 'CLOCK_SKEW' });
    expect(toProblem(fabricError('GatewayError', 2, [skew])).toBody()).toMatchObject({ status: 503, code: 'CLOCK_SKEW' });
  });

  it('maps commit outcomes and never leaks unknown errors', () => {
    expect(toProblem(new ReadConflict('t', 'MVCC_READ_CONFLICT')).toBody()).toMatchObject({ status: 409, code: 'READ_CONFLICT', txId: 't' });
    expect(toProblem(new TxInvalid('t', 'ENDORSEMENT_POLICY_FAILURE', 5n)).toBody()).toMatchObject({ status: 403, code: 'TX_ENDORSEMENT_POLICY_FAILURE', blockNumber: '5' });
    expect(toProblem(new TxInvalid('t', 'BAD_RWSET', 5n)).status).toBe(502);
    const p = toProblem(new TypeError('secret internals'));
    expect(p.toBody()).toMatchObject({ status: 500, code: 'INTERNAL', detail: 'internal error' });
  });

  describe('endorsers a block apart', () => {
    const refusal = 'chaincode response 422, {"code":"FAILED_PRECONDITION","details":{},"message":"port call is ARRIVED: cannot become WORKING"}';
    const aborted = (message: string, details: Array<{ mspId: string; message: string }>) =>
      Object.assign(new Error(`10 ABORTED: ${message}`), { name: 'EndorseError', code: 10, details: details.map((d) => ({ address: 'peer0:7051', ...d })) });
    const collecting = 'failed to collect enough transaction endorsements, see attached details for more info';

    it('is a disagreement when another org refused after the caller\'s own peer endorsed', () => {
      expect(isEndorsementDisagreement(aborted(collecting, [{ mspId: 'CityMSP', message: refusal }]))).toBe(true);
      // Still the chaincode's refusal, should retries run out.
      expect(toProblem(aborted(collecting, [{ mspId: 'CityMSP', message: refusal }])).toBody()).toMatchObject({ status: 422, code: 'FAILED_PRECONDITION' });
    });

    it('is the chaincode\'s answer when the caller\'s own peer refused, or every named endorser did', () => {
      expect(isEndorsementDisagreement(aborted('failed to endorse transaction, see attached details for more info', [{ mspId: 'PortMSP', message: refusal }]))).toBe(false);
      const both = aborted(collecting, [
        { mspId: 'CityMSP', message: refusal },
        { mspId: 'HospitalMSP', message: refusal },
      ]);
      expect(isEndorsementDisagreement(both, ['CityMSP', 'HospitalMSP'])).toBe(false);
      expect(isEndorsementDisagreement(aborted(collecting, [{ mspId: 'CityMSP', message: refusal }]), ['CityMSP', 'HospitalMSP'])).toBe(true);
    });

    it('is no disagreement when no peer refused as the chaincode (unreachable peers)', () => {
      expect(isEndorsementDisagreement(aborted(collecting, [{ mspId: 'CityMSP', message: 'connection refused' }]))).toBe(false);
      expect(isPeersApart(fabricError('EndorseError', 14, [refusal]))).toBe(false);
    });

    it('counts mismatched results as peers apart too', () => {
      expect(isPeersApart(aborted('failed to assemble transaction: ProposalResponsePayloads do not match', []))).toBe(true);
    });
  });
});
