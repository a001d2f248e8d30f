import { ClientIdentity } from 'fabric-shim';
import type { Context } from 'fabric-contract-api';
import { Attributes, caller, requireAttribute, requireMsp, requireOrgRole, requireRole } from './caller';
import { ChaincodeError } from './errors';
import { MemoryLedger, MemoryStub, TestIdentity, identity } from './testing';

function ctxFor(who: TestIdentity): Context {
  const stub = new MemoryStub(new MemoryLedger(), {
    args: ['f'],
    creator: { mspid: who.mspId, idBytes: who.idBytes },
  }).asStub();
  return { stub, clientIdentity: new ClientIdentity(stub) } as unknown as Context;
}

function refusal(fn: () => unknown): ChaincodeError {
  try {
    fn();
  } catch (e) {
    return e as ChaincodeError;
  }
  throw new Error('expected a refusal');
}

const resident = identity('CityMSP', 'alice', { role: 'resident', residentId: 'R1' });
const meter = identity('CityMSP', 'meter-7', { role: 'meter', buildingId: 'B1', meterId: 'M7' });
const car = identity('CityMSP', 'car-1', { role: 'vehicle', vehicleId: 'VIN1' });
const doctor = identity('HospitalMSP', 'doc', { role: 'doctor' });

describe('caller', () => {
  it('reads MSP, enrolment id and attributes from the real certificate', () => {
    const who = caller(ctxFor(resident));
    expect(who).toMatchObject({
      mspId: 'CityMSP',
      enrollmentId: 'alice',
      key: 'CityMSP/alice',
      role: 'resident',
      residentId: 'R1',
    });
    expect(who.id).toBe('x509::/OU=client/CN=alice::/O=city/CN=ca.city');
    expect(who.vehicleId).toBeUndefined();
    expect(caller(ctxFor(meter))).toMatchObject({ buildingId: 'B1', meterId: 'M7' });
    expect(caller(ctxFor(car)).vehicleId).toBe('VIN1');
    expect(who.attr(Attributes.enrollmentId)).toBe('alice');
  });

  it('falls back to the CN when the certificate has no hf.EnrollmentID', () => {
    const ctx = ctxFor(resident);
    const ci = ctx.clientIdentity;
    const plain = { getID: () => ci.getID(), getMSPID: () => 'CityMSP', getAttributeValue: () => null };
    expect(caller({ ...ctx, clientIdentity: plain } as unknown as Context).enrollmentId).toBe('alice');
    const odd = { getID: () => 'weird', getMSPID: () => 'CityMSP', getAttributeValue: () => '' };
    expect(caller({ ...ctx, clientIdentity: odd } as unknown as Context).enrollmentId).toBe('weird');
  });

  it('requires roles, MSPs, (MSP, role) pairs and attributes with FORBIDDEN', () => {
    expect(requireRole(ctxFor(resident), 'resident').residentId).toBe('R1');
    expect(refusal(() => requireRole(ctxFor(doctor), 'resident')).details).toEqual({
      required: ['resident'],
      role: 'doctor',
    });
    expect(refusal(() => requireRole(ctxFor(identity('CityMSP', 'x')), 'resident')).details.role).toBeNull();
    expect(requireMsp(ctxFor(doctor), 'HospitalMSP').role).toBe('doctor');
    expect(refusal(() => requireMsp(ctxFor(doctor), 'CityMSP')).code).toBe('FORBIDDEN');
    expect(requireOrgRole(ctxFor(doctor), { mspId: 'HospitalMSP', role: 'doctor' }).key).toBe(
      'HospitalMSP/doc',
    );
    const e = refusal(() =>
      requireOrgRole(ctxFor(identity('CityMSP', 'fake', { role: 'doctor' })), {
        mspId: 'HospitalMSP',
        role: 'doctor',
      }),
    );
    expect(e.code).toBe('FORBIDDEN');
    expect(e.details).toEqual({ required: ['HospitalMSP:doctor'], mspId: 'CityMSP', role: 'doctor' });
    expect(
      refusal(() => requireOrgRole(ctxFor(identity('CityMSP', 'x')), { mspId: 'CityMSP', role: 'admin' }))
        .details.role,
    ).toBeNull();
    expect(requireAttribute(ctxFor(resident), 'residentId')).toBe('R1');
    expect(refusal(() => requireAttribute(ctxFor(doctor), 'residentId')).details).toEqual({
      attribute: 'residentId',
    });
  });
});
