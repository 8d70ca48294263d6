/**
 * `node --import ./test/sweep-source-register.mjs src/cli.ts …` runs the marlts CLI from
 * source in a child process (the resume test kills it with SIGKILL): registers the hooks
 * of sweep-source-hooks.mjs.
 */
import { register } from 'node:module';

register(new URL('./sweep-source-hooks.mjs', import.meta.url));
