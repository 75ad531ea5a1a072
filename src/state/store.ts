/**
 * {@link JsonFileStateStore}: the operating state persisted in a JSON file, written atomically
 * (temp file, fsync, rename) so a crash mid-write never replaces a good snapshot. Node only;
 * exported from `qts-reactive/node`.
 */
import { promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { PersistedOperatingState } from './contracts.js';
import { parsePersistedSnapshot, snapshotFromJson, snapshotToJson, type StateStore } from './snapshot.js';

/** The file operations {@link JsonFileStateStore} uses; replaceable to simulate crashes in tests. */
export interface StateFileSystem {
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  open(path: string, flags: string): Promise<{ writeFile(data: string, encoding: 'utf8'): Promise<void>; sync(): Promise<void>; close(): Promise<void> }>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options: { force: boolean }): Promise<void>;
  /** Lists a directory; without it, stale temp files of killed writers are left alone. */
  readdir?(path: string): Promise<string[]>;
}

/** Whether process `pid` is alive on this host (a process we may not signal is alive too). */
function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A {@link StateStore} in one JSON file. `save` writes a temp file beside it, fsyncs it, renames it
 * over the target (atomic on POSIX) and fsyncs the directory; a failure at any step leaves the old
 * file as it was and removes the temp file. `load` reads only the target, so a torn temp file left
 * by a crash is never read; the next `load` or `save` removes such files (those of writers that are
 * no longer running), so kills do not leave them piling up.
 */
export class JsonFileStateStore implements StateStore {
  private sequence = 0;
  private readonly fs: StateFileSystem;
  /** The save in progress (or the last one); the next save waits for it, so saves land in call order. */
  private lastSave: Promise<void> = Promise.resolve();

  /**
   * @param path the snapshot file
   * @param options.fs replacement file operations (tests)
   */
  constructor(
    readonly path: string,
    options: { fs?: StateFileSystem } = {},
  ) {
    this.fs = options.fs ?? (fsp as unknown as StateFileSystem);
  }

  /** @inheritDoc */
  async load(): Promise<PersistedOperatingState | null> {
    await this.removeStaleTemps();
    let text: string;
    try {
      text = await this.fs.readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    return snapshotFromJson(text, this.path);
  }

  /**
   * Replaces the stored snapshot; either the old or the new one survives a crash, never a mix.
   * Overlapping saves are applied one after another in call order, so the last call's snapshot
   * is the one kept.
   */
  save(snapshot: PersistedOperatingState): Promise<void> {
    let text: string;
    try {
      text = snapshotToJson(parsePersistedSnapshot(snapshot, 'save'));
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const run = (): Promise<void> => this.removeStaleTemps().then(() => this.write(text));
    const saved = this.lastSave.then(run, run);
    this.lastSave = saved.catch(() => undefined);
    return saved;
  }

  /** `.<name>.<pid>.<sequence>.tmp`: the temp file of one save, named after its writer. */
  private tempPath(pid: number, sequence: number): string {
    return join(dirname(this.path), `.${basename(this.path)}.${pid}.${sequence}.tmp`);
  }

  /** Removes temp files of this store left by writers that died mid-save (best effort). */
  private async removeStaleTemps(): Promise<void> {
    if (this.fs.readdir === undefined) return;
    const prefix = `.${basename(this.path)}.`;
    let names: string[];
    try {
      names = await this.fs.readdir(dirname(this.path));
    } catch {
      return;
    }
    for (const name of names) {
      const match = name.startsWith(prefix) ? /^(\d+)\.(\d+)\.tmp$/.exec(name.slice(prefix.length)) : null;
      if (match === null) continue;
      const pid = Number(match[1]);
      if (pid === process.pid || isProcessAlive(pid)) continue;
      await this.fs.rm(this.tempPath(pid, Number(match[2])), { force: true }).catch(() => undefined);
    }
  }

  private async write(text: string): Promise<void> {
    this.sequence += 1;
    const temp = this.tempPath(process.pid, this.sequence);
    try {
      const handle = await this.fs.open(temp, 'w');
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await this.fs.rename(temp, this.path);
    } catch (error) {
      await this.fs.rm(temp, { force: true }).catch(() => undefined);
      throw error;
    }
    await this.syncDirectory();
  }

  private async syncDirectory(): Promise<void> {
    // Makes the rename itself durable; not every platform can open a directory, so best effort.
    try {
      const dir = await this.fs.open(dirname(this.path), 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch {
      /* best effort */
    }
  }
}
