export * from './cert';
export * from './stub';
export * from './harness';
export * from './conflicts';
export * from './identity-fake';
