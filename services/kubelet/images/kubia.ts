/**
 * Image program `kubia` (luksa/kubia and its variants): the HTTP app of Kubernetes in Action.
 *
 * Listens on port 8080 of the pod IP (`POD_IP`; every address when unset), so replicas on one node
 * do not collide. Logs `Kubia server starting...` once and `Received request from <address>` per
 * request. Answers by `KUBIA_VARIANT` (set by the image catalog from the tag):
 *   (unset, v1)  200 `You've hit <hostname>`
 *   v2           200 `This is v2 running in pod <hostname>`
 *   v3           like v2 but `v3`, and from the fifth request on 500 `Some internal error has occurred! …`
 *   unhealthy    like v1 for five requests, then 500 `I'm not well. Please restart me!`
 * The hostname is the pod's (UTS namespace, or `HOSTNAME` where the runtime has no namespaces).
 * On SIGTERM it drains: for a few seconds it keeps serving (the Service takes it out meanwhile)
 * and tells kept-alive connections to close with their next response; then it stops accepting,
 * lets requests in flight finish, closes what is idle, and exits with 143 — what a process killed by
 * SIGTERM reports, so the kubelet shows `Error`, exit code 143. (The book's app has no handler but,
 * as PID 1 of its container, ignores SIGTERM and serves until the SIGKILL at the end of the grace
 * period; kubemu's containers are not PID 1, so the program drains itself: the same outcome for
 * clients — no failed requests during a rollout — without waiting out the grace period.)
 *
 * A container program: imports node built-ins only, never kubemu code.
 */
import { createServer } from 'node:http';
import { hostname as osHostname } from 'node:os';

const variant = process.env.KUBIA_VARIANT ?? 'v1';
const host = process.env.POD_IP || undefined;
const hostname = (): string => process.env.HOSTNAME || osHostname();
let requests = 0;

function answer(): { status: number; body: string } {
  requests++;
  switch (variant) {
    case 'v2':
      return { status: 200, body: `This is v2 running in pod ${hostname()}\n` };
    case 'v3':
      if (requests >= 5) return { status: 500, body: `Some internal error has occurred! This is pod ${hostname()}\n` };
      return { status: 200, body: `This is v3 running in pod ${hostname()}\n` };
    case 'unhealthy':
      if (requests > 5) return { status: 500, body: "I'm not well. Please restart me!\n" };
      return { status: 200, body: `You've hit ${hostname()}\n` };
    default:
      return { status: 200, body: `You've hit ${hostname()}\n` };
  }
}

console.log('Kubia server starting...');
let draining = false;
const server = createServer((req, res) => {
  console.log(`Received request from ${req.socket.remoteAddress}`);
  const { status, body } = answer();
  // While draining, keep-alive connections end after their response, so the server can close.
  if (draining) res.setHeader('Connection', 'close');
  res.writeHead(status);
  res.end(body);
});
server.listen(8080, host);

const IDLE_DRAIN_MS = 3000;

process.on('SIGTERM', () => {
  if (draining) return;
  draining = true;
  // server.close() also closes idle kept-alive connections (Node ≥ 19): only after the grace of the drain.
  setTimeout(() => server.close(() => process.exit(143)), IDLE_DRAIN_MS);
  // Requests still running after the kubelet's grace period are ended by its SIGKILL.
});
