/**
 * Image program `crasher` (kubemu/crasher): starts, says so, and exits with a failure after a short
 * while — the workload for CrashLoopBackOff demos.
 *
 * `CRASH_AFTER_SECONDS` (default 1; 0 exits at once) and `EXIT_CODE` (default 1) shape it. Exits
 * 0 on SIGTERM, so a deleted pod stops promptly.
 *
 * A container program: imports node built-ins only, never kubemu code.
 */
const seconds = Number(process.env.CRASH_AFTER_SECONDS ?? '1');
const code = Number.parseInt(process.env.EXIT_CODE ?? '1', 10);
const after = Number.isFinite(seconds) && seconds >= 0 ? seconds : 1;
const exitCode = Number.isInteger(code) && code >= 0 && code <= 255 ? code : 1;

console.log(`crasher: started; exiting with code ${exitCode} in ${after}s`);
process.on('SIGTERM', () => process.exit(0));
setTimeout(() => {
  console.error(`crasher: exiting with code ${exitCode}`);
  process.exit(exitCode);
}, after * 1000);
