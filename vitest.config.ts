import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string): string => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  test: {
    // docs/examples/**: the guides' examples, run as they are printed.
    include: ['test/**/*.test.ts', 'docs/examples/**/*.test.ts'],
    testTimeout: 30_000,
    pool: 'forks',
    globalSetup: ['test/nats/global-setup.ts'],
  },
  resolve: {
    // The package by name, as the examples (and users) import it: here, this source tree.
    alias: [
      { find: /^qts-reactive\/operators$/, replacement: src('operators/index.ts') },
      { find: /^qts-reactive\/node$/, replacement: src('node.ts') },
      { find: /^qts-reactive\/prometheus$/, replacement: src('prometheus/index.ts') },
      { find: /^qts-reactive$/, replacement: src('index.ts') },
    ],
  },
});
