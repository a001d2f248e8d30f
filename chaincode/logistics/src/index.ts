import { BillOfLadingContract } from './bl-contract';
import { CargoContract } from './cargo-contract';
import { PortCallContract } from './portcall-contract';

import { ProbeContract } from '@cityledger/chaincode-common';

export { serializers } from '@cityledger/chaincode-common';
export { BillOfLadingContract, CargoContract, PortCallContract };
export const contracts = [PortCallContract, CargoContract, BillOfLadingContract, ProbeContract];
