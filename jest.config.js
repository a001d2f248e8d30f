// Two projects: `unit` needs nothing running; `live` runs against the network started by `npm run test:live`.
const tsJest = ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }];

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: 'unit',
      rootDir: __dirname,
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      // Explicit roots keep Jest out of .cityledger/ (Raft snapshots there are also named *.snap).
      roots: ['<rootDir>/chaincode', '<rootDir>/gateway', '<rootDir>/network', '<rootDir>/test/src/bench'],
      // The bench's own plumbing (its HTTP client) is tested here too; everything else under test/ is live.
      testMatch: ['<rootDir>/{chaincode,gateway,network}/**/src/**/*.test.ts', '<rootDir>/test/src/bench/*.test.ts'],
      moduleNameMapper: { '^@cityledger/chaincode-common$': '<rootDir>/chaincode/common/src' },
    },
    {
      displayName: 'live',
      rootDir: __dirname,
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      roots: ['<rootDir>/test'],
      testMatch: ['<rootDir>/test/src/**/*.live.test.ts'],
    },
  ],
  testSequencer: '<rootDir>/test/sequencer.js',
  // Live tests wait for blocks, restarts and catch-up; unit tests finish far below this anyway.
  testTimeout: 120000,
  collectCoverageFrom: ['chaincode/*/src/**/*.ts', '!**/*.test.ts', '!**/index.ts'],
  // The issues' bar: at least 90% of each chaincode's source lines run by its unit tests.
  coverageThreshold: Object.fromEntries(
    ['common', 'identity', 'medical', 'mobility', 'energy', 'logistics'].map((c) => [`./chaincode/${c}/src/`, { lines: 90 }]),
  ),
};
