/**
 * qts-reactive: priority lanes with accounted backpressure, and an explained operating state,
 * for RxJS 7 trading pipelines.
 * @packageDocumentation
 */
export * from './event/contracts.js';
export * from './event/config.js';
export * from './safety/state.js';
export * from './state/contracts.js';
export * from './state/properties.js';
export * from './state/config.js';
export * from './debug/instrument.js';
export * from './event/buffer/types.js';
export * from './event/buffer/index.js';
export { ConfigError, type ConfigErrorInit } from './config/errors.js';
export * from './event/queue.js';
export * from './state/rules.js';
export * from './state/overrides.js';
export * from './state/reducer.js';
export * from './state/manager.js';
export * from './state/operatingState.js';
export * from './state/store.js';
export * from './state/bridge.js';
export * from './event/dispatcher.js';
export * from './event/monitoring.js';
export * from './event/histogram.js';
export * from './event/yield-scheduler.js';
export * from './event/merge.js';
