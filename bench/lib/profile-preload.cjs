/**
 * Preloaded into every Node process of a benchmarked cluster (`NODE_OPTIONS=--require <this>`,
 * since Node 20 refuses `--cpu-prof` in NODE_OPTIONS): starts V8's sampling profiler through the
 * in-process inspector and, when the process exits (components answer SIGTERM with
 * `process.exit`), writes the profile to `$KUBEMU_BENCH_PROFILE_DIR/<pid>.cpuprofile` — the format
 * `node --cpu-prof` writes and Chrome DevTools opens. An in-process inspector call completes
 * synchronously, so the write fits in the 'exit' handler. A process killed outright writes nothing.
 */
'use strict';
const dir = process.env.KUBEMU_BENCH_PROFILE_DIR;
if (dir) {
  const inspector = require('node:inspector');
  const { writeFileSync } = require('node:fs');
  const { join } = require('node:path');
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  process.on('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (!err && result) writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
