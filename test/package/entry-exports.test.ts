import { describe, expect, it } from 'vitest';
import * as root from '../../src/index.js';
import * as operators from '../../src/operators/index.js';

// The runtime values each entry exports, listed on purpose: a name added to or dropped from an
// entry is a change of the public API and must show up here (types are checked by the typecheck tests).
const ROOT_VALUES = [
  // events
  'DEGRADATION_SEVERITY', 'DegradationLevel', 'EVENT_PRIORITIES', 'EVENT_PRIORITY_MAP', 'EventPriority', 'EventType',
  'EventValidationError', 'LANE_KEYS', 'MAX_PAYLOAD_DEPTH', 'OverflowPolicy', 'PRIORITY_DEFAULTS', 'createEvent', 'isLanePaused',
  'validateEvent', 'EventTypeError', 'registerEventType', 'registerEventTypes', 'registeredEventType',
  // configuration
  'ConfigError', 'MAX_LANE_CAPACITY', 'MAX_LATENCY_WINDOW', 'defaultEventConfig', 'parseEventConfig', 'resolveEventConfig',
  // lanes
  'BoundedQueue', 'CollapsingQueue', 'LaneConfigError', 'LaneQueue', 'OfferOutcome', 'QueueClosedError', 'RingBuffer',
  'SamplingQueue', 'createLaneBuffer',
  // dispatcher and monitoring
  'DispatcherArgumentError', 'DispatcherStoppedError', 'EventDispatcher', 'EventDroppedError', 'HandlerFailedError',
  'ReentrantDispatchError', 'StopTimeoutError', 'detectAlerts', 'readAlerts',
  // safety state
  'SAFETY_SEVERITY', 'SAFETY_TO_DEGRADATION', 'SafetyState', 'SafetyStateError', 'isSafetyState', 'parseSafetyState',
  // operating state
  'OperatingState', 'PERSISTED_STATE_FORMAT', 'STATE_PROPERTIES', 'defaultStateConfig', 'parseStateConfig', 'resolveStateConfig',
  'MetricsError', 'buildTransitionRules', 'describeCondition', 'describeFiredRule', 'evaluateCondition', 'evaluateRule',
  'parseTransitionMetrics', 'createOperatingStateReducer', 'initialOperatingState', 'modelFromSnapshot', 'persistedSnapshotOf',
  'snapshotOf', 'telemetryOf', 'OverrideError', 'OperatingStateManager', 'operatingState$', 'InMemoryStateStore', 'SnapshotError',
  'parsePersistedSnapshot', 'parseSnapshot', 'snapshotFromJson', 'snapshotToJson', 'connectEventsToState',
  // observability
  'formatRecord', 'setInstrumentation',
];

describe('the entries export what users need, by name', () => {
  it('the root entry exports exactly the listed values', () => {
    expect(Object.keys(root).sort()).toEqual([...ROOT_VALUES].sort());
  });

  it('keeps the library\'s internals out of the root entry', () => {
    for (const internal of ['PriorityMerge', 'CLOCK_CHECK_EVENTS', 'RingLaneBuffer', 'checkCapacity', 'BlockLaneBuffer', 'LatencyHistogram', 'createYieldScheduler', 'instrument', 'isEventPriority', 'copyPayload']) {
      expect(Object.keys(root)).not.toContain(internal);
    }
  });

  it('the operators entry exports the five operators and the error of mergeByPriority', () => {
    expect(Object.keys(operators).sort()).toEqual(['PriorityOfError', 'boundedBlock', 'collapseByType', 'dropOldest', 'mergeByPriority', 'sample']);
  });
});
