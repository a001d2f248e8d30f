import { ProbeContract } from '@cityledger/chaincode-common';
import { ClaimContract } from './claim-contract';
import { CrashContract } from './crash-contract';
import { InsuranceContract } from './insurance-contract';
import { TelemetryContract } from './telemetry-contract';
import { VehicleContract } from './vehicle-contract';

// fabric-chaincode-node reads `contracts` and `serializers` from the package's main module.
export { serializers } from '@cityledger/chaincode-common';
export const contracts = [
  VehicleContract,
  InsuranceContract,
  TelemetryContract,
  CrashContract,
  ClaimContract,
  ProbeContract,
];
export { VehicleContract, InsuranceContract, TelemetryContract, CrashContract, ClaimContract };
