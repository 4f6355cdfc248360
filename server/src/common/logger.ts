import pino from 'pino';

/** One structured logger for the process; its level is set from config at boot. */
export const logger = pino({
  level: process.env.FLOTILLA_LOG_LEVEL ?? 'info',
  base: { pid: process.pid },
  timestamp: pino.stdTimeFunctions.isoTime,
});
