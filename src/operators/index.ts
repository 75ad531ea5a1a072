/**
 * The pipeable operators of `qts-reactive/operators`.
 * @packageDocumentation
 */
export { boundedBlock, type BoundedBlockOptions } from './boundedBlock.js';
export { dropOldest, type DropOldestOptions } from './dropOldest.js';
export { collapseByType, type CollapseByTypeOptions } from './collapseByType.js';
export { sample, type SampleOptions } from './sample.js';
export { mergeByPriority, PriorityOfError, type MergeByPriorityOptions } from './mergeByPriority.js';
export type { OnDemandOptions } from './internal/bufferOnDemand.js';
