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
}

/**
 * A {@link StateStore} in one JSON file. `save` writes a temp file beside it, fsyncs it, renames it
 * over the target (atomic on POSIX) and fsyncs the directory; a failure at any step leaves the old
 * file as it was and removes the temp file. `load` reads only the target, so a torn temp file left
 * by a crash is never read.
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
    const run = (): Promise<void> => this.write(text);
    const saved = this.lastSave.then(run, run);
    this.lastSave = saved.catch(() => undefined);
    return saved;
  }

  private async write(text: string): Promise<void> {
    this.sequence += 1;
    const temp = join(dirname(this.path), `.${basename(this.path)}.${process.pid}.${this.sequence}.tmp`);
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
