/**
 * `qts-reactive/node`: what needs Node's file system — loading configuration files and the
 * operating-state store in a JSON file. The root entry and `qts-reactive/operators` import nothing
 * from `node:`, so they also run in a browser.
 * @packageDocumentation
 */
export { loadEventConfig } from './event/configFile.js';
export { loadStateConfig } from './state/configFile.js';
export { JsonFileStateStore, type StateFileSystem } from './state/store.js';
