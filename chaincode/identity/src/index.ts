import { ProbeContract } from '@cityledger/chaincode-common';
import { BirthContract } from './birth-contract';
import { CredentialContract } from './credential-contract';
import { IssuerContract } from './issuer-contract';
import { ResidentContract } from './resident-contract';
import { StatusContract } from './status-contract';

// fabric-chaincode-node reads `contracts` and `serializers` from the package's main module.
export { serializers } from '@cityledger/chaincode-common';
export const contracts = [
  ResidentContract,
  IssuerContract,
  CredentialContract,
  BirthContract,
  StatusContract,
  ProbeContract,
];
export { ResidentContract, IssuerContract, CredentialContract, BirthContract, StatusContract };
