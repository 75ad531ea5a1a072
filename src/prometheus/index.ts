/**
 * `qts-reactive/prometheus`: Prometheus collectors (prom-client 15, an optional peer dependency)
 * for a dispatcher's lanes and an operating state, and a minimal `/metrics` endpoint. Node only;
 * the core and `qts-reactive/operators` never import it.
 * @packageDocumentation
 */
export type { Collector, CollectorOptions } from './common.js';
export { ALERT_LEVEL_VALUE, collectDispatcherMetrics } from './dispatcher.js';
export { collectOperatingStateMetrics, type StateCollectorOptions } from './state.js';
export { serveMetrics, type MetricsServer, type ServeMetricsOptions } from './server.js';
