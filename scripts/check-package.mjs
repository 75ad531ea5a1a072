// Packs the package as npm would publish it and checks it with publint and
// @arethetypeswrong/cli (ESM-only profile). Run by `npm test` after the build.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`check-package: ${command} ${args.join(' ')} failed`);
    process.exit(result.status ?? 1);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'qts-pack-'));
try {
  const pack = spawnSync('npm', ['pack', '--silent', '--pack-destination', dir], { encoding: 'utf8' });
  if (pack.status !== 0) {
    console.error(pack.stderr);
    process.exit(1);
  }
  const tarball = join(dir, pack.stdout.trim().split('\n').pop());
  run('npx', ['--no-install', 'publint', '--strict', tarball]);
  run('npx', ['--no-install', 'attw', '--profile', 'esm-only', tarball]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
