// Entry point of the latch agent; the commands land with the agent issue.
process.stderr.write('superlatch-agent: not built yet\n');
process.exitCode = 64;
