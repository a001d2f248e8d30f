/** The network tooling as a library: the live test suites drive the same code as the CLI. */
export { Network, type StatusReport, type StatusRow } from './network';
export { Paths } from './paths';
export { Processes } from './processes';
export * from './topology';
export { adminEnv, channelHeight, channelPeers, osnadminArgs } from './channels';
export { enrollIdentity, caUrl, caName, type IdentityRequest } from './ca';
export { peerDir, ordererDir, adminDir, PROPOSAL_TIME_WINDOW, raftGauge } from './nodes';
export { operationsGet, operatorTls, type OperationsTls } from './operations';
export { run, retry, sleep, CommandError } from './exec';
export { chaincodeProcess } from './chaincode';
export { gatewayProcess } from './gateway';
export { NetworkError, type NetworkErrorCode } from './errors';
