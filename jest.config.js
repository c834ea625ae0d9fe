// ESM + ts-jest, as in actions/typescript-action: tests import the real
// modules from src/ and mock @actions/* through jest.unstable_mockModule.
export default {
  clearMocks: true,
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js'],
  preset: 'ts-jest',
  resolver: 'ts-jest-resolver',
  testEnvironment: 'node',
  testMatch: ['**/__tests__/**/*.test.ts'],
  // Real builds of torch extensions take a while on a 2-core runner.
  testTimeout: 600_000,
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', useESM: true, diagnostics: { ignoreCodes: ['TS151001'] } }]
  },
  verbose: true,
  // One test file at a time: measuring tests must not share the 2 cores with each other.
  maxWorkers: 1
}
