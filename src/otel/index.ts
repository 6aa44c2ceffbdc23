// httpool/otel: OpenTelemetry traces and metrics for httpool. Loaded only through this subpath,
// so `import 'httpool'` never loads @opentelemetry/api (an optional peer dependency).

export { HttpoolInstrumentation, INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION } from './instrumentation.js';
export type { HttpoolInstrumentationConfig } from './config.js';
