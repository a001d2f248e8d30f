import { ids, newHarness } from './medical.fixtures';

// What the gateway builds its routes from: names, SUBMIT/EVALUATE, parameters, transient keys, target orgs.
describe('GetMetadata', () => {
  it('lists every transaction with its tag, named parameters, transient keys and endorsers', async () => {
    const meta = await newHarness().metadata(ids.alice);
    const summary = Object.fromEntries(
      Object.entries(meta.contracts)
        .filter(([name]) => !name.startsWith('org.hyperledger'))
        .flatMap(([, c]) =>
          c.transactions.map((t) => {
            const tx = t as {
              name: string;
              tag: string[];
              parameters: { name: string }[];
              transient?: { properties: object };
              endorsers?: string[];
            };
            return [
              `${c.name}:${tx.name}`,
              [
                tx.tag[0],
                tx.parameters.map((p) => p.name).join(','),
                tx.transient ? Object.keys(tx.transient.properties).join(',') : '',
                (tx.endorsers ?? []).join(','),
              ].join(' | '),
            ];
          }),
        ),
    );
    expect(summary).toEqual({
      'observation:RecordObservations': 'SUBMIT |  | measurement | CityMSP,HospitalMSP',
      'probe:Get': 'EVALUATE | key |  | ',
      'probe:Noop': 'SUBMIT |  |  | ',
      'probe:Put': 'SUBMIT | probe |  | ',
      'observation:ListMyObservations': 'EVALUATE | query |  | CityMSP,HospitalMSP',
      'observation:ListMyObservationRecords': 'EVALUATE | pageSize,bookmark |  | ',
      'observation:GetObservationRecord': 'EVALUATE | patientId,observationId |  | ',
      'observation:IndexWatchedObservations': 'SUBMIT | patientId |  | ',
      'observation:EraseObservations': 'SUBMIT | input |  | CityMSP,HospitalMSP',
      'observation:ListMyErasures': 'EVALUATE | pageSize,bookmark |  | ',
      'observation:GetAlert': 'EVALUATE | alertId |  | CityMSP,HospitalMSP',
      'consent:CreateConsent': 'SUBMIT | input |  | ',
      'consent:ActivateConsent': 'SUBMIT | consentId |  | ',
      'consent:RejectConsent': 'SUBMIT | consentId |  | ',
      'consent:RevokeConsent': 'SUBMIT | consentId |  | ',
      'consent:MarkConsentEnteredInError': 'SUBMIT | patientId,consentId |  | ',
      'consent:GetConsent': 'EVALUATE | patientId,consentId |  | ',
      'consent:ListMyConsents': 'EVALUATE | pageSize,bookmark |  | ',
      'access:RequestAccess': 'SUBMIT | request |  | ',
      'access:BreakGlass': 'SUBMIT | request |  | ',
      'access:ReadObservations': 'EVALUATE | query |  | CityMSP,HospitalMSP',
      'access:GetAccess': 'EVALUATE | accessId |  | ',
      'access:ListMyAccessLog': 'EVALUATE | pageSize,bookmark |  | ',
    });
  });

  it('seals the results that hold measurement values, and only those', async () => {
    const meta = await newHarness().metadata(ids.alice);
    const sealed = Object.values(meta.contracts).flatMap((c) =>
      c.transactions.filter((t) => t.sealed === true).map((t) => `${c.name}:${String(t.name)}`),
    );
    expect(sealed.sort()).toEqual([
      'access:ReadObservations',
      'observation:GetAlert',
      'observation:ListMyObservations',
    ]);
  });

  it('answers an unknown transaction with NOT_FOUND', async () => {
    const r = await newHarness().evaluate(ids.alice, 'access:ReadEverything', []);
    expect(r.error?.code).toBe('NOT_FOUND');
  });
});
