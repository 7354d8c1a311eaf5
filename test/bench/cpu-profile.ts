import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Preloaded into a process under test (`NODE_OPTIONS=--import=…/cpu-profile.js`, with
 * CPU_PROFILE_DIR set) where `--cpu-prof` is not allowed: profiles it from start to exit and
 * writes a .cpuprofile that Chrome's DevTools open.
 */
const dir = process.env.CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  process.once('exit', () => {
    // The main thread's inspector session answers synchronously.
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(path.join(dir, `tonari-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
