/** Structured JSON logging (pino) to stdout, written asynchronously so logging never blocks request handling. */
import { pino, type Logger } from 'pino';

export function createLogger(level: string): Logger {
  const destination = pino.destination({ dest: 1, sync: false, minLength: 0 });
  return pino({ level, base: { app: 'lakebox' }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

export type { Logger };
