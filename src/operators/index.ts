/**
 * The pipeable operators of `qts-reactive/operators`.
 * @packageDocumentation
 */
export {};
