/** Prometheus metrics served at /metrics: request counts and latencies per service and operation. */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class ServerMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'service' | 'operation' | 'status'>;
  readonly latency: Histogram<'service' | 'operation'>;
  readonly bytesIn: Counter<'service' | 'operation'>;
  readonly bytesOut: Counter<'service' | 'operation'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'lakebox_' });
    this.requests = new Counter({
      name: 'lakebox_requests_total',
      help: 'API requests by service, operation and HTTP status',
      labelNames: ['service', 'operation', 'status'],
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: 'lakebox_request_duration_seconds',
      help: 'API request latency (first byte in to last byte out) by service and operation',
      labelNames: ['service', 'operation'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [this.registry],
    });
    this.bytesIn = new Counter({
      name: 'lakebox_request_bytes_total',
      help: 'Request body bytes received (BytesUploaded in CloudWatch terms)',
      labelNames: ['service', 'operation'],
      registers: [this.registry],
    });
    this.bytesOut = new Counter({
      name: 'lakebox_response_bytes_total',
      help: 'Response body bytes sent (BytesDownloaded in CloudWatch terms)',
      labelNames: ['service', 'operation'],
      registers: [this.registry],
    });
  }

  observe(service: string, operation: string, status: number, seconds: number, bytesIn: number, bytesOut: number): void {
    this.requests.inc({ service, operation, status: String(status) });
    this.latency.observe({ service, operation }, seconds);
    if (bytesIn > 0) this.bytesIn.inc({ service, operation }, bytesIn);
    if (bytesOut > 0) this.bytesOut.inc({ service, operation }, bytesOut);
  }
}
