/**
 * The pipeable operators of `qts-reactive/operators`.
 * @packageDocumentation
 */
export {};
export * from './boundedBlock.js';
export * from './dropOldest.js';
export * from './collapseByType.js';
export * from './sample.js';
export * from './mergeByPriority.js';
export type { OnDemandOptions } from './internal/bufferOnDemand.js';
