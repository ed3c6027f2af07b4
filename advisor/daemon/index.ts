/** The advisor daemon (docs/autonomics.md): run it, start it in the background, stop it, read its status. */
export { runDaemon, type DaemonOptions } from './daemon.js';
export { startInBackground, stopDaemon } from './control.js';
export { daemonStatus, readState, pidPath, statePath, logPath, type DaemonState, type DaemonStatus, type StepName } from './state.js';
export { createLogger } from './logger.js';
