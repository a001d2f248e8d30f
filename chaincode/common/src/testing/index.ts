export * from './cert';
export * from './stub';
export * from './harness';
