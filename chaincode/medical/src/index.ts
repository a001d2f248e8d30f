import { AccessContract } from './access-contract';
import { ConsentContract } from './consent-contract';
import { ObservationContract } from './observation-contract';

import { ProbeContract } from '@cityledger/chaincode-common';

export { serializers } from '@cityledger/chaincode-common';
export const contracts = [ObservationContract, ConsentContract, AccessContract, ProbeContract];
