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

  /** The labelled series of one service, operation and status, looked up once (prom-client hashes labels on every call). */
  readonly #series = new Map<string, { requests: Counter.Internal; latency: Histogram.Internal<'service' | 'operation'>; bytesIn: Counter.Internal; bytesOut: Counter.Internal }>();

  observe(service: string, operation: string, status: number, seconds: number, bytesIn: number, bytesOut: number): void {
    const key = `${service}\0${operation}\0${status}`;
    let s = this.#series.get(key);
    if (!s) {
      s = {
        requests: this.requests.labels({ service, operation, status: String(status) }),
        latency: this.latency.labels({ service, operation }),
        bytesIn: this.bytesIn.labels({ service, operation }),
        bytesOut: this.bytesOut.labels({ service, operation }),
      };
      this.#series.set(key, s);
    }
    s.requests.inc();
    s.latency.observe(seconds);
    if (bytesIn > 0) s.bytesIn.inc(bytesIn);
    if (bytesOut > 0) s.bytesOut.inc(bytesOut);
  }
}
