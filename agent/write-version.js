// Writes agent/src/version.ts from package.json before the agent is compiled (the projen
// task compile:agent and agent/Dockerfile both run it): the version is built into the
// agent, so nothing reads package.json at run time and the image does not carry it.
const fs = require('node:fs');
const path = require('node:path');

const { version } = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
if (typeof version !== 'string' || !/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) {
  throw new Error(`package.json: version ${JSON.stringify(version)} is not a semantic version`);
}
fs.writeFileSync(path.join(__dirname, 'src', 'version.ts'), [
  '// Generated from package.json by agent/write-version.js; do not edit.',
  '/** The agent\'s version: the package\'s. */',
  `export const AGENT_VERSION = '${version}';`,
  '',
].join('\n'));
