/**
 * Image program `cpu-burner` (kubemu/cpu-burner, hpa-example): an HTTP server on port 80 of the pod
 * IP where every request burns CPU for a while and answers `OK!` — load for HPA demos, in the role
 * of Kubernetes' php-apache example.
 *
 * `BURN_MILLIS` (default 100) is the CPU time one request costs; `PORT` (default 80) the port.
 * Requests are served one at a time, as a single busy worker would: concurrent load queues up and
 * the container stays near one core, which is what the autoscaler should see. Logs one line per
 * request; exits 0 on SIGTERM.
 *
 * A container program: imports node built-ins only, never kubemu code.
 */
import { createServer } from 'node:http';

const burnMillis = Math.max(0, Number(process.env.BURN_MILLIS ?? '100')) || 0;
const port = Number(process.env.PORT ?? '80');
const host = process.env.POD_IP || undefined;

function burn(ms: number): number {
  const end = performance.now() + ms;
  let x = 0.0001;
  while (performance.now() < end) {
    for (let i = 0; i < 10_000; i++) x += Math.sqrt(x);
  }
  return x;
}

const server = createServer((req, res) => {
  burn(burnMillis);
  console.log(`${req.socket.remoteAddress} "${req.method} ${req.url}" 200`);
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('OK!');
});
server.listen(port, host, () => console.log(`cpu-burner: listening on ${host ?? '*'}:${port}, ${burnMillis}ms of CPU per request`));
process.on('SIGTERM', () => process.exit(0));
