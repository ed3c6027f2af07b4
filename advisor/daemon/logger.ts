/**
 * The daemon's log: pino JSON lines appended to advisor/daemon.log
 * (synchronously, so the last lines before a crash are there), and in the
 * foreground also to standard output: pretty on a terminal, JSON otherwise.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { logPath } from './state.js';

export function createLogger(dataDir: string, options: { foreground: boolean; level?: string }): Logger {
  const file = logPath(dataDir);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const streams: pino.StreamEntry[] = [{ stream: pino.destination({ dest: file, sync: true }) }];
  if (options.foreground) {
    streams.push({ stream: process.stdout.isTTY ? pretty({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' }) : pino.destination({ dest: 1, sync: true }) });
  }
  return pino({ level: options.level ?? 'info', base: { pid: process.pid } }, pino.multistream(streams));
}
