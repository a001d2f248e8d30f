import type { Access, ObservationValue } from './model';
import {
  DAY,
  HOUR,
  SALT,
  T0,
  bmi,
  consentInput,
  fat,
  ids,
  newHarness,
  record,
  weight,
} from './medical.fixtures';

// The live-network scenario, step by step, as the integration tests will run it.
describe('the morning scan reaches the doctor under consent', () => {
  it('device submits, refusal, grant, read, revoke, refusal, expiry, break-glass, audit, erasure', async () => {
    const h = newHarness();
    const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();
    const req = { patientId: 'R1', codes: ['29463-7', '39156-5', '41982-0'], purpose: 'TREAT' };
    const readAll = (who = ids.drKim, accessId: string) =>
      h.evaluate<{ items: ObservationValue[] }>(who, 'access:ReadObservations', [
        { accessId, code: '29463-7', pageSize: 50 },
      ]);

    // 1. The InBody scale submits the morning scan.
    const scan = await record(h, ids.aliceScale, [weight(72.4), bmi(23.6), fat(21.3)], T0);
    expect(scan.committed).toBe(true);

    // 2. The doctor without consent is refused.
    expect((await h.submit(ids.drKim, 'access:RequestAccess', [req])).error?.details.reason).toBe(
      'NO_CONSENT',
    );

    // 3. The patient grants; 4. the doctor reads.
    expect(
      (
        await h.submit(ids.alice, 'consent:CreateConsent', [
          consentInput({ period: { start: T0, end: at(2 * HOUR) } }),
        ])
      ).committed,
    ).toBe(true);
    const access = await h.submit<Access>(ids.drKim, 'access:RequestAccess', [req]);
    expect(access.committed).toBe(true);
    expect((await readAll(ids.drKim, access.value.accessId)).value.items.map((v) => v.value)).toEqual([72.4]);

    // 5. The patient revokes; 6. the doctor is refused again.
    await h.submit(ids.alice, 'consent:RevokeConsent', ['c1']);
    expect((await readAll(ids.drKim, access.value.accessId)).error?.details.reason).toBe('NO_CONSENT');

    // 7. An expired consent is refused.
    await h.submit(ids.alice, 'consent:CreateConsent', [
      consentInput({ consentId: 'c2', period: { start: T0, end: at(2 * HOUR) } }),
    ]);
    h.setTime(at(2 * HOUR));
    expect((await h.submit(ids.drKim, 'access:RequestAccess', [req])).error?.details.reason).toBe(
      'CONSENT_EXPIRED',
    );

    // 8. Break the glass: works, audited, the patient is notified.
    const glass = await h.submit<Access>(ids.drLee, 'access:BreakGlass', [
      { patientId: 'R1', reason: 'collapsed at the clinic, unresponsive' },
    ]);
    expect(glass.event?.envelope.events[0].type).toBe('EmergencyAccessGranted');
    expect((await readAll(ids.drLee, glass.value.accessId)).value.items).toHaveLength(1);
    const log = await h.evaluate<{ items: Access[] }>(ids.alice, 'access:ListMyAccessLog', [50, '']);
    expect(log.value.items.map((a) => [a.grantee.key, a.kind])).toEqual([
      ['HospitalMSP/dr-kim', 'CONSENT'],
      ['HospitalMSP/dr-lee', 'EMERGENCY'],
    ]);

    // 9. Erasure purges the values; the hashes stay.
    h.advance(DAY);
    expect((await h.submit(ids.alice, 'observation:EraseObservations', [{}])).committed).toBe(true);
    expect((await readAll(ids.drLee, glass.value.accessId)).error?.details.reason).toBe('ACCESS_EXPIRED');
    expect(h.ledger.privateData.get('medicalObservations')?.size).toBe(0);
    const rec = await h.evaluate<{ valueHash: string }>(ids.alice, 'observation:GetObservationRecord', [
      'R1',
      scan.value.observationIds[0],
    ]);
    expect(rec.value.valueHash).toBe(scan.value.valueHashes[0]);

    // Throughout: no value and no salt in public state or in any committed event.
    const publicText = [...h.ledger.state.values(), ...h.ledger.events.map((e) => e.payload)]
      .map((b) => Buffer.from(b).toString('utf8'))
      .join('\n');
    for (const needle of ['72.4', '23.6', '21.3', SALT]) expect(publicText).not.toContain(needle);
  });
});
