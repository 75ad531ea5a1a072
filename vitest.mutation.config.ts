import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The suite Stryker runs against each mutant of the core (stryker.config.mjs): every test that
 * exercises the core in-process. Left out: the tests of the built and packed artefacts (the built
 * bin, browser bundle, tarball, headless Chromium, and the NATS tests that run the built CLI, worker
 * processes or entry points), which test the build and the packaging, not the core's behaviour,
 * would build the mutated sandbox, and take most of the suite's time.
 */
export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: [
        'test/browser/**',
        'test/bundle/**',
        'test/package/**',
        'test/replay/report.browser.test.ts',
        'test/cli/**',
        'test/nats/cluster-replay.test.ts',
        'test/nats/failover.test.ts',
        'test/nats/optional-peer.test.ts',
        '**/node_modules/**',
      ],
    },
  }),
);
