import { BillOfLadingContract } from './bl-contract';
import { CargoContract } from './cargo-contract';
import { PortCallContract } from './portcall-contract';

export { serializers } from '@cityledger/chaincode-common';
export { BillOfLadingContract, CargoContract, PortCallContract };
export const contracts = [PortCallContract, CargoContract, BillOfLadingContract];
