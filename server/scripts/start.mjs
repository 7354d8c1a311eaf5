#!/usr/bin/env node
/**
 * `npm start`: builds what changed since the last build (server/scripts/build.mjs: nothing, when the
 * build is current), then runs the server in this same process, so a start whose build is
 * current costs one hash of the sources and no second Node.
 */
import { describeBuild, ensureBuilt } from './build.mjs';

const build = await ensureBuilt().catch((error) => {
  console.error(`build failed: ${error.message}`);
  process.exit(1);
});
console.error(describeBuild(build));
// As `node --enable-source-maps`: stack traces name the TypeScript lines.
process.setSourceMapsEnabled(true);
await import('../../dist/server/src/main.js');
