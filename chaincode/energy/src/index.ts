import { ProbeContract } from '@cityledger/chaincode-common';
import { FundsContract } from './funds-contract';
import { MarketContract } from './market-contract';
import { MeteringContract } from './metering-contract';
import { RegistryContract } from './registry-contract';
import { SettlementContract } from './settlement-contract';

// fabric-chaincode-node reads `contracts` and `serializers` from the package's main module.
export { serializers } from '@cityledger/chaincode-common';
export const contracts = [
  RegistryContract,
  FundsContract,
  MarketContract,
  MeteringContract,
  SettlementContract,
  ProbeContract,
];
export { RegistryContract, FundsContract, MarketContract, MeteringContract, SettlementContract };

/** What the transactions return, for clients written in TypeScript (tests, demo, integrators). */
export type {
  Account,
  Bilateral,
  Certificate,
  Entry,
  Interval,
  Order,
  Reading,
  SettlementRecord,
  Trade,
} from './model';
export type { BuildingSettlement } from './settlement';
