import type { LoggerService, LogLevel } from '@nestjs/common';
import pino from 'pino';
import type { Logger as Pino } from 'pino';

export type LogLevelName = 'debug' | 'info' | 'warn' | 'error';

/** Structured JSON logs (pino) on stdout: one object per line with service, context, msg and fields. */
export function createPinoLogger(service: string, level: LogLevelName): Pino {
  return pino({ base: { service }, level, timestamp: pino.stdTimeFunctions.isoTime });
}

/** Nest's logger interface over pino, so framework and application logs share one JSON format. */
export class PinoNestLogger implements LoggerService {
  public constructor(private readonly pino: Pino) {}

  public log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }

  public error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  public warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  public debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  public verbose(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  public setLogLevels(_levels: LogLevel[]): void {
    // the pino level set at start-up applies
  }

  private write(level: 'info' | 'error' | 'warn' | 'debug', message: unknown, rest: unknown[]): void {
    // Nest passes the context (class name) last; an error stack, when present, comes before it.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    const fields: Record<string, unknown> = { context };
    for (const extra of rest.slice(0, context ? -1 : undefined)) {
      if (typeof extra === 'string') fields.stack = extra;
      else if (extra && typeof extra === 'object') Object.assign(fields, extra);
    }
    if (message && typeof message === 'object') this.pino[level]({ ...fields, ...message });
    else this.pino[level](fields, String(message));
  }
}
