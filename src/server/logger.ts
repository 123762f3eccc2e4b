/** Structured JSON logging (pino). */
import { pino, type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'lakebox' }, timestamp: pino.stdTimeFunctions.isoTime });
}

export type { Logger };
