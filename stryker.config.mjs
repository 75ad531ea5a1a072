// @ts-check
/**
 * Mutation testing of the core: `npm run mutation`.
 * One file while iterating: `npx stryker run --mutate src/state/overrides.ts`.
 * The score to keep (docs/testing.md): >= 90 % overall, >= 85 % for every file below.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  coverageAnalysis: 'perTest',
  mutate: [
    'src/common/describe.ts',
    'src/event/buffer/*.ts',
    '!src/event/buffer/types.ts',
    'src/event/monitoring.ts',
    'src/event/awaiting.ts',
    'src/event/settle.ts',
    'src/scheduling/timer.ts',
    'src/state/reducer.ts',
    'src/state/rules.ts',
    'src/state/overrides.ts',
  ],
  // Two cores: two test processes.
  concurrency: 2,
  // A rerun tests only the mutants whose code or covering tests changed since the last run.
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'html', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
  thresholds: { high: 90, low: 85, break: null },
  // vitest does not type-check, and one test compares a generated source file byte for byte.
  disableTypeChecks: false,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
