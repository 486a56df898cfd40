/** Entry point of `superlatch-agent` (bin/superlatch-agent and the image's ENTRYPOINT). */
import { EXIT, runCli } from './cli';

runCli(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`superlatch-agent: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = EXIT.INTERNAL;
  },
);
