/**
 * Image program `web-server` (nginx*, httpd*): a static web server in nginx's role.
 *
 * Listens on port 80 (`PORT`) of the pod IP (`POD_IP`) and serves files under the web root
 * (`WEB_ROOT`, default `/usr/share/nginx/html`): `index.html` for directories, 404 for what is not
 * there, 405 for methods other than GET/HEAD, never a file outside the root. When the root has no
 * index page, `/` gets a built-in welcome page, as a fresh nginx does. One access-log line per
 * request on stdout in nginx's "combined" format. Exits 0 on SIGTERM.
 *
 * Where the runtime could not give the pod its own mount namespace, volumes are not mounted at their
 * mountPath; the runtime passes `KUBEMU_MOUNTS` (JSON: mountPath → directory) and the root is looked
 * up there.
 *
 * A container program: imports node built-ins only, never kubemu code.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { extname, join, normalize, relative, sep } from 'node:path';

const port = Number(process.env.PORT ?? '80');
const host = process.env.POD_IP || undefined;
const root = resolveRoot(process.env.WEB_ROOT || '/usr/share/nginx/html');

const WELCOME = `<!DOCTYPE html>
<html>
<head><title>Welcome to nginx!</title></head>
<body>
<h1>Welcome to nginx!</h1>
<p>This static web server runs in a kubemu pod. Put files in a volume mounted at the web root to serve them.</p>
</body>
</html>
`;

const TYPES: Record<string, string> = {
  '.html': 'text/html', '.htm': 'text/html', '.txt': 'text/plain', '.css': 'text/css', '.js': 'application/javascript',
  '.json': 'application/json', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif',
  '.svg': 'image/svg+xml', '.ico': 'image/x-icon',
};

/** The web root, or the directory backing it when volumes are exported instead of mounted. */
function resolveRoot(dir: string): string {
  try {
    const mounts = JSON.parse(process.env.KUBEMU_MOUNTS ?? '{}') as Record<string, string>;
    let best = '';
    for (const mp of Object.keys(mounts)) {
      const m = mp.replace(/\/+$/, '');
      if ((dir === m || dir.startsWith(`${m}/`)) && m.length > best.length) best = m;
    }
    if (best) return join(mounts[best] ?? '', dir.slice(best.length));
  } catch {
    // no usable mount table: use the path as it is
  }
  return dir;
}

function stamp(d: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

function accessLog(req: IncomingMessage, status: number, bytes: number): void {
  const ua = req.headers['user-agent'] ?? '-';
  const ref = req.headers.referer ?? '-';
  console.log(`${req.socket.remoteAddress} - - [${stamp(new Date())}] "${req.method} ${req.url} HTTP/${req.httpVersion}" ${status} ${bytes} "${ref}" "${ua}"`);
}

/** A file under the root for a URL path, or undefined when the path would leave the root. */
function fileFor(urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return undefined;
  }
  const full = join(root, normalize(`/${decoded}`));
  const rel = relative(root, full);
  if (rel.startsWith('..') || rel.includes(`..${sep}`)) return undefined;
  return full;
}

const server = createServer((req, res) => {
  const send = (status: number, body: string, type = 'text/html'): void => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), server: 'kubemu-web' });
    res.end(req.method === 'HEAD' ? undefined : body);
    accessLog(req, status, Buffer.byteLength(body));
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, '<html><body><h1>405 Not Allowed</h1></body></html>\n');
  let file = fileFor(req.url ?? '/');
  if (!file) return send(400, '<html><body><h1>400 Bad Request</h1></body></html>\n');
  try {
    let st = statSync(file, { throwIfNoEntry: false });
    if (st?.isDirectory()) {
      file = join(file, 'index.html');
      st = statSync(file, { throwIfNoEntry: false });
    }
    if (!st || !st.isFile()) {
      if ((req.url ?? '/').split('?')[0] === '/') return send(200, WELCOME);
      return send(404, '<html><body><h1>404 Not Found</h1></body></html>\n');
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream', 'content-length': st.size, server: 'kubemu-web' });
    accessLog(req, 200, st.size);
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).on('error', () => res.destroy()).pipe(res);
  } catch {
    send(403, '<html><body><h1>403 Forbidden</h1></body></html>\n');
  }
});
server.listen(port, host, () => console.log(`web-server: serving ${root} on ${host ?? '*'}:${port}`));
process.on('SIGTERM', () => process.exit(0));
