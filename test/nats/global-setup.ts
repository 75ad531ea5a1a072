// Decides once per run whether the NATS tests run: they do whenever a server answers at
// QTS_NATS_URL (default nats://127.0.0.1:4222). Without one they are skipped with one line saying
// how to start a server, except under CI=true, where a missing server fails the run.
import type { TestProject } from 'vitest/node';
import { NATS_START_COMMAND, natsUrl, probeNats } from './server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The URL of a NATS server with JetStream that answered, or null when none did. */
    natsUrl: string | null;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const url = natsUrl();
  const answered = await probeNats(url);
  if (!answered) {
    if (process.env['CI'] === 'true') {
      throw new Error(`NATS tests: no NATS server with JetStream answers at ${url} (CI=true, so this fails instead of skipping). Start one with: ${NATS_START_COMMAND}`);
    }
    console.log(`NATS tests skipped: no server at ${url}; start one with \`${NATS_START_COMMAND}\` (or set QTS_NATS_URL)`);
  }
  project.provide('natsUrl', answered ? url : null);
}
