/** Entry point of `superlatch-agent` (bin/superlatch-agent and the image's ENTRYPOINT). */
import { EXIT, runCli } from './cli';

// A reader that went away (EPIPE on a closed pipe) must not kill `run`: log lines are then lost, nothing else.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

runCli(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`superlatch-agent: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = EXIT.INTERNAL;
  },
);
