import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The suite Stryker runs against each mutant of the core (stryker.config.mjs): every test that
 * exercises the core in-process. Left out: the tests of the built and packed artefacts (the built
 * bin, browser bundle, tarball, headless Chromium), which test the build and the packaging, not the
 * core's behaviour, would build the mutated sandbox, and take most of the suite's time; and the NATS
 * tests, which test the adapter against a live server in real time (their waits on the server make a
 * run depend on the machine's load, and a mutant run on whether a server answers).
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
        'test/nats/**',
        '**/node_modules/**',
      ],
    },
  }),
);
