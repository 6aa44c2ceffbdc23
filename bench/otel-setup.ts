// The OpenTelemetry setup bench/ab.ts --otel-b measures: httpool/otel's instrumentation with the
// SDK's providers, every span sampled and batched to an exporter that drops them (the work a
// traced service does, less the network), and a meter provider whose reader is never collected
// (instruments record; nobody scrapes during the run).

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ExportResultCode } from '@opentelemetry/core';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';

class DropExporter implements SpanExporter {
  export(_spans: ReadableSpan[], done: (r: { code: ExportResultCode }) => void): void {
    done({ code: ExportResultCode.SUCCESS });
  }
  async shutdown(): Promise<void> {}
}

class IdleReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** Starts the instrumentation of the httpool build in `dir` (this checkout's when undefined); returns its stop. */
export async function startOtel(dir: string | undefined): Promise<() => Promise<void>> {
  const mod = (await import(dir === undefined ? '../src/otel/index.js' : pathToFileURL(join(dir, 'src/otel/index.js')).href)) as typeof import('../src/otel/index.js');
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(new DropExporter())] });
  const meterProvider = new MeterProvider({ readers: [new IdleReader()] });
  const instrumentation = new mod.HttpoolInstrumentation();
  instrumentation.setTracerProvider(tracerProvider);
  instrumentation.setMeterProvider(meterProvider);
  return async () => {
    instrumentation.disable();
    await tracerProvider.shutdown();
    await meterProvider.shutdown();
  };
}
