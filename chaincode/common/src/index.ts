export * from './errors';
export * from './canonical';
export * from './time';
export * from './amounts';
export * from './caller';
export * from './validation';
export * from './repository';
export * from './events';
export * from './statemachine';
export * from './metadata';
export * from './sealed-result';
export * from './contract';
export * from './endorsement';
export * from './identity-check';
export * from './testing';
export * from './probe';
export * from './merkle';
export * from './shim-logging';
export * from './shim-certificates';
export * from './shim-parameters';
export * from './shim-write-batch';

import { dropDisabledShimLogsEarly } from './shim-logging';
import { memoiseShimCertificateParsing } from './shim-certificates';
import { readArgumentsWithSerializerOnly } from './shim-parameters';
import { batchShimWrites } from './shim-write-batch';
// Every chaincode loads this library: the shim's disabled log levels, its parse of the same caller
// certificate for every transaction and its second validation of every argument stop costing CPU
// in all of them, and a transaction's writes go to the peer together where it takes them so.
dropDisabledShimLogsEarly();
memoiseShimCertificateParsing();
readArgumentsWithSerializerOnly();
batchShimWrites();
