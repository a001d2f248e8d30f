import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics: HTTP latency and in-flight, Fabric stage latency, errors by code, conflict retries. */
export class Metrics {
  readonly registry = new Registry();
  readonly http = new Histogram({
    name: 'cityledger_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly inFlight = new Gauge({ name: 'cityledger_http_in_flight', help: 'Requests in flight', registers: [this.registry] });
  readonly fabricStage = new Histogram({
    name: 'cityledger_fabric_stage_duration_seconds',
    help: 'Fabric stage latency (evaluate, endorse, submit, commit)',
    labelNames: ['stage'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly errors = new Counter({ name: 'cityledger_errors_total', help: 'Error responses by code', labelNames: ['code'] as const, registers: [this.registry] });
  readonly conflictRetries = new Counter({ name: 'cityledger_conflict_retries_total', help: 'Whole-flow retries after read conflicts', registers: [this.registry] });
  readonly eventsStored = new Counter({ name: 'cityledger_events_stored_total', help: 'Chaincode events stored', labelNames: ['listener'] as const, registers: [this.registry] });

  readonly certificateRenewals = new Counter({
    name: 'cityledger_certificate_renewals_total',
    help: "Renewals of users' Fabric certificates, by outcome (renewed, failed): alert on failures",
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly prunedRows = new Counter({ name: 'cityledger_pruned_rows_total', help: 'Rows deleted by retention', labelNames: ['table'] as const, registers: [this.registry] });

  constructor(defaults = false) {
    if (defaults) collectDefaultMetrics({ register: this.registry });
  }
}
