/** The domain workloads of the benchmark (issue 10): each chaincode's main write, the mix, the hot key, ingestion. */
import { Workload } from '../workloads';
import { energyBid, energyHotInterval, energyReading } from './energy';
import { identityIssue } from './identity';
import { logisticsTime } from './logistics';
import { medicalSubmit } from './medical';
import { domainMix } from './mix';
import { mobilityAnchor } from './mobility';
import { telemetryIngest } from './telemetry';

export const domainWorkloads: Workload[] = [
  identityIssue,
  medicalSubmit,
  mobilityAnchor,
  energyBid,
  energyReading,
  logisticsTime,
  domainMix,
  energyHotInterval,
  telemetryIngest,
];
