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
export * from './contract';
export * from './endorsement';
export * from './identity-check';
export * from './testing';
export * from './probe';
export * from './merkle';
export * from './shim-logging';
export * from './shim-certificates';

import { dropDisabledShimLogsEarly } from './shim-logging';
import { memoiseShimCertificateParsing } from './shim-certificates';
// Every chaincode loads this library: the shim's disabled log levels and its parse of the same
// caller certificate for every transaction stop costing CPU in all of them.
dropDisabledShimLogsEarly();
memoiseShimCertificateParsing();
