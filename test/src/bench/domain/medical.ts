/**
 * Medical: a home device submits a vitals scan (heart rate, SpO2, blood pressure) for its patient,
 * values only in the transient map (`measurement`), endorsed by CityMSP and HospitalMSP (the private
 * collection's policy). One device per patient, one scan at a time per device (the patient's first
 * scan writes its value-holder marker, which later scans read).
 */
import { randomBytes } from 'node:crypto';
import { transient } from '../../support/credentials';
import { Pool } from '../pool';
import { DirectContext, PrepareContext, RestContext, Workload } from '../workloads';
import {
  Actor,
  inBatches,
  iso,
  makeActor,
  once,
  poolSize,
  registerResidents,
  restAs,
  SETUP_PARALLEL,
  submitDirect,
} from './common';

const ENDORSERS = ['CityMSP', 'HospitalMSP'];

interface Device extends Actor {
  patientId: string;
}

let devices: Pool<Device> | undefined;

const medicalSetup = (ctx: PrepareContext) =>
  once('medical', async () => {
    const n = poolSize(ctx);
    const patients = Array.from({ length: n }, (_, i) => `bench-${ctx.runId}-patient-${i}`);
    await registerResidents(ctx, patients);
    const items = await inBatches(patients, SETUP_PARALLEL, async (patientId, i) => ({
      patientId,
      ...(await makeActor(
        ctx,
        'city',
        `bench-${ctx.runId}-scale-${i}`,
        { role: 'device', residentId: patientId },
        'medical',
      )),
    }));
    devices = new Pool(items);
  });

const measurementOf = (i: number) => ({
  effectiveAt: iso(Date.now()),
  salt: randomBytes(16).toString('hex'),
  items: [
    { code: '8867-4', value: 55 + (i % 40), unit: '/min' },
    { code: '59408-5', value: 95 + (i % 5), unit: '%' },
    { code: '8480-6', value: 110 + (i % 30), unit: 'mm[Hg]' },
    { code: '8462-4', value: 70 + (i % 20), unit: 'mm[Hg]' },
  ],
});

export const medicalSubmit: Workload = {
  name: 'medical-submit',
  kind: 'submit',
  chaincode: 'medical',
  description:
    'observation:RecordObservations by a patient-bound device, transient values, City+Hospital endorsement',
  prepare: (ctx) => medicalSetup(ctx),
  direct: (_ctx: DirectContext) => (i) =>
    devices!.use((d) =>
      submitDirect(d.contract!, 'observation:RecordObservations', [], {
        transientData: transient({ measurement: measurementOf(i) }),
        endorsingOrganizations: ENDORSERS,
      }),
    ),
  rest: (ctx: RestContext) => (i) =>
    devices!.use((d) =>
      restAs(ctx, d)('POST', '/api/v1/medical/observations', {
        transient: { measurement: measurementOf(i) },
      }),
    ),
};
