/**
 * The `marlts` bin entry: runs `main` with the process's arguments, wires Ctrl-C /
 * SIGTERM to a clean stop (a second Ctrl-C exits at once), and sets the exit code.
 */
import { main } from './main.js';

const controller = new AbortController();
let interrupts = 0;
const onSignal = (sig: NodeJS.Signals) => {
  interrupts++;
  if (interrupts > 1) process.exit(130);
  process.stderr.write(`\nmarlts: ${sig} received, stopping cleanly (press Ctrl-C again to exit at once)\n`);
  controller.abort(new Error(sig));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const code = await main(process.argv.slice(2), { signal: controller.signal });
process.exitCode = code;
// Sockets or timers left by a library must not keep a finished command alive.
setTimeout(() => process.exit(code), 200).unref();
