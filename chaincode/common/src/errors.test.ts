import {
  ChaincodeError,
  ERROR_CODES,
  ErrorCodes,
  conflict,
  failedPrecondition,
  forbidden,
  invalidArgument,
  notFound,
  toChaincodeError,
} from './errors';

describe('ChaincodeError', () => {
  it('has the canonical JSON {code, details, message} as its message', () => {
    const err = new ChaincodeError('NOT_FOUND', 'resident R1 not found', { id: 'R1' });
    expect(err.message).toBe('{"code":"NOT_FOUND","details":{"id":"R1"},"message":"resident R1 not found"}');
    expect(err.code).toBe('NOT_FOUND');
    expect(err.reason).toBe('resident R1 not found');
    expect(err.details).toEqual({ id: 'R1' });
    expect(err).toBeInstanceOf(Error);
  });

  it('defaults details to {}', () => {
    expect(JSON.parse(new ChaincodeError('CONFLICT', 'x').message)).toEqual({
      code: 'CONFLICT',
      message: 'x',
      details: {},
    });
  });

  it('parses the JSON out of text Fabric wraps around it', () => {
    const original = forbidden('no', { role: 'resident' });
    const parsed = ChaincodeError.parse(
      `transaction returned with failure: chaincode response 500, ${original.message}`,
    );
    expect(parsed).toBeInstanceOf(ChaincodeError);
    expect(parsed?.code).toBe('FORBIDDEN');
    expect(parsed?.details).toEqual({ role: 'resident' });
  });

  it('refuses to parse text without a known code', () => {
    expect(ChaincodeError.parse('plain failure')).toBeUndefined();
    expect(ChaincodeError.parse('x {not json')).toBeUndefined();
    expect(ChaincodeError.parse('{"code":"WHATEVER","message":"m"}')).toBeUndefined();
    expect(ChaincodeError.parse('{"code":"CONFLICT","message":"m","details":null}')?.details).toEqual({});
  });

  it('has a helper per code and exports the list', () => {
    expect(invalidArgument('a').code).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(forbidden('a').code).toBe(ErrorCodes.FORBIDDEN);
    expect(notFound('a').code).toBe(ErrorCodes.NOT_FOUND);
    expect(conflict('a').code).toBe(ErrorCodes.CONFLICT);
    expect(failedPrecondition('a').code).toBe(ErrorCodes.FAILED_PRECONDITION);
    expect([...ERROR_CODES].sort()).toEqual([
      'CONFLICT',
      'FAILED_PRECONDITION',
      'FORBIDDEN',
      'INTERNAL',
      'INVALID_ARGUMENT',
      'NOT_FOUND',
    ]);
  });

  it('turns anything thrown into a coded error', () => {
    const coded = conflict('dup');
    expect(toChaincodeError(coded)).toBe(coded);
    expect(toChaincodeError(new Error('boom')).code).toBe('INTERNAL');
    expect(toChaincodeError('str').reason).toBe('str');
    expect(toChaincodeError(new Error(`wrapped ${notFound('x').message}`)).code).toBe('NOT_FOUND');
  });
});
