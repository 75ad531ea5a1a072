import { build, type Metafile } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = (path: string): string => fileURLToPath(new URL(`../../src/${path}`, import.meta.url));

/** Bundles `code` as a user's browser build would: minified, tree-shaken, rxjs left to the app. */
async function bundleForBrowser(code: string): Promise<{ bytes: number; inputs: string[]; metafile: Metafile }> {
  const result = await build({
    stdin: { contents: code, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    external: ['rxjs', 'rxjs/*'],
    // The package's entries by name, as a user imports them (here: this source tree).
    alias: { 'qts-reactive/operators': src('operators/index.ts'), 'qts-reactive': src('index.ts') },
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return { bytes: result.outputFiles[0]!.contents.byteLength, inputs: Object.keys(result.metafile.inputs), metafile: result.metafile };
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

describe('browser bundles (esbuild, platform browser, minified, rxjs external)', () => {
  it("import { dropOldest } from 'qts-reactive/operators' stays within 25 KB, without zod", async () => {
    const { bytes, inputs } = await bundleForBrowser(`import { dropOldest } from 'qts-reactive/operators'; console.log(dropOldest);`);
    console.log(`bundle: import { dropOldest } from 'qts-reactive/operators' → ${kb(bytes)} minified (budget 25 KB)`);
    expect(inputs.filter((input) => input.includes('node_modules/zod'))).toEqual([]);
    expect(bytes).toBeLessThanOrEqual(25 * 1024);
  });

  it("the whole of 'qts-reactive/operators' imports neither zod, yaml nor anything from node:", async () => {
    const { bytes, inputs } = await bundleForBrowser(`export * from 'qts-reactive/operators';`);
    console.log(`bundle: export * from 'qts-reactive/operators' → ${kb(bytes)} minified`);
    expect(inputs.filter((input) => /node_modules\/(zod|yaml)\/|^node:/.test(input))).toEqual([]);
  });

  it("import { EventDispatcher, createEvent } from 'qts-reactive' builds for the browser", async () => {
    const { bytes, metafile } = await bundleForBrowser(`import { EventDispatcher, createEvent } from 'qts-reactive'; console.log(EventDispatcher, createEvent);`);
    console.log(`bundle: import { EventDispatcher, createEvent } from 'qts-reactive' → ${kb(bytes)} minified`);
    const nodeImports = Object.values(metafile.inputs).flatMap((input) => input.imports.filter((i) => i.path.startsWith('node:')).map((i) => i.path));
    expect(nodeImports).toEqual([]);
  });

  it("nothing in the root entry imports from node:, even what a bundler would shake out", async () => {
    const { metafile } = await bundleForBrowser(`export * from 'qts-reactive';`);
    const nodeImports = Object.entries(metafile.inputs).flatMap(([file, input]) => input.imports.filter((i) => i.path.startsWith('node:')).map((i) => `${file} → ${i.path}`));
    expect(nodeImports).toEqual([]);
  });
});
