// httpool's OpenTelemetry metrics served to Prometheus. Run it beside a server, then
// `curl http://127.0.0.1:9464/metrics`. (In this repository the imports point at the sources;
// in a project of your own they are 'httpool' and 'httpool/otel'. test/otel-prometheus.test.ts
// runs this file and scrapes it.)
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { Client } from '../src/index.js';
import { HttpoolInstrumentation } from '../src/otel/index.js';

// The exporter is a MetricReader that serves the text format on :9464/metrics.
const exporter = new PrometheusExporter({ host: '127.0.0.1', port: Number(process.env.METRICS_PORT ?? 9464) });
const instrumentation = new HttpoolInstrumentation();
instrumentation.setMeterProvider(new MeterProvider({ readers: [exporter] }));

// Some traffic to see: a few requests, then the process keeps serving metrics until stopped.
const client = new Client();
const target = process.env.TARGET_URL ?? 'http://127.0.0.1:8080/';
for (let i = 0; i < 3; i++) {
  const res = await client.get(target);
  await res.body.text();
}
console.log(`metrics on http://127.0.0.1:${process.env.METRICS_PORT ?? 9464}/metrics`);
// The exporter's server does not hold the process open (a service's own work would): this does, until SIGTERM.
const open = setInterval(() => {}, 60_000);
process.once('SIGTERM', () => {
  clearInterval(open);
  void exporter.shutdown();
});
