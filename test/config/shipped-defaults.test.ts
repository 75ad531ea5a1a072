import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SHIPPED_EVENT_YAML, SHIPPED_LANES, SHIPPED_STATE_YAML } from '../../src/config/shipped.js';
import { defaultEventConfig, defaultStateConfig, parseEventConfig, parseStateConfig } from '../../src/index.js';

const file = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('the shipped defaults built into the package (src/config/shipped.ts)', () => {
  it('are what scripts/embed-config.mjs makes of config/event.yaml and config/state.yaml today (run `npm run embed-config` when not)', async () => {
    // @ts-expect-error an untyped JavaScript build script
    const { shippedModuleFromFiles } = (await import('../../scripts/embed-config.mjs')) as { shippedModuleFromFiles: () => string };
    expect(file('src/config/shipped.ts')).toBe(shippedModuleFromFiles());
    expect(SHIPPED_EVENT_YAML).toBe(file('config/event.yaml'));
    expect(SHIPPED_STATE_YAML).toBe(file('config/state.yaml'));
  });

  it('give the same defaults as the files themselves', () => {
    expect(defaultEventConfig()).toEqual(parseEventConfig(file('config/event.yaml'), 'config/event.yaml'));
    expect(defaultStateConfig()).toEqual(parseStateConfig(file('config/state.yaml'), 'config/state.yaml'));
  });

  it("give the operators the dispatcher's lane defaults", () => {
    expect(SHIPPED_LANES).toEqual(defaultEventConfig().queues);
  });
});
