import { AccessContract } from './access-contract';
import { ConsentContract } from './consent-contract';
import { ObservationContract } from './observation-contract';

export { serializers } from '@cityledger/chaincode-common';
export const contracts = [ObservationContract, ConsentContract, AccessContract];
