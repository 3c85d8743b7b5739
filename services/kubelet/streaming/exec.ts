/**
 * `kubectl exec` on the kubelet: runs the command in the container's current instance through
 * `runtime.exec`. Channel 0 is stdin (its end closes the command's stdin), 4 carries terminal
 * sizes as JSON (`{"Width":80,"Height":24}`, one or more per frame); stdout goes out on 1 and
 * stderr on 2, each only when the client asked for it. The exit code ends the stream; a command
 * that cannot start ends it with `error executing command in container: …` (InternalError), as
 * the kubelet reports it after the upgrade. The client going away kills the command.
 *
 * A container that is not running now is refused at open: `container not found ("x")`, the
 * kubelet's words.
 */
import { badRequest, internalError, isStatusError, toStatus } from '../../../shared/api/errors.js';
import { CHANNEL } from '../../../shared/client/byte-stream-open.js';
import type { StreamStarter } from './server.js';

/** Terminal sizes from the resize channel; text may hold several objects or a partial one. */
function sizeReader(onSize: (cols: number, rows: number) => void): (bytes: Uint8Array) => void {
  let text = '';
  return (bytes) => {
    text += Buffer.from(bytes).toString('utf8');
    for (let end = text.indexOf('}'); end >= 0; end = text.indexOf('}')) {
      const piece = text.slice(0, end + 1);
      text = text.slice(end + 1);
      try {
        const size = JSON.parse(piece.trim()) as { Width?: number; Height?: number };
        if (Number.isInteger(size.Width) && Number.isInteger(size.Height)) onSize(size.Width!, size.Height!);
      } catch {
        // a garbled size message changes nothing
      }
    }
    if (text.length > 1024) text = '';
  };
}

export const startExec: StreamStarter = async (deps, req, pod, stream) => {
  const opts = req.exec!;
  const container = pod.containers.find((c) => c.name === req.target.container);
  if (!container?.running || !container.containerId) throw badRequest(`container not found (${JSON.stringify(req.target.container ?? '')})`);
  const session = deps.runtime.exec(container.containerId, { command: opts.command, stdin: opts.stdin, tty: opts.tty });
  const resize = sizeReader((cols, rows) => session.resize(cols, rows));

  stream.listen({
    data(channel, bytes) {
      if (channel === CHANNEL.stdin && opts.stdin) session.write(bytes);
      else if (channel === CHANNEL.resize) resize(bytes);
    },
    end(channel) {
      if (channel === CHANNEL.stdin) session.closeStdin();
    },
    drain: () => session.resume?.(),
    close(_result, by) {
      if (by === 'peer') session.kill();
    },
  });
  const forward = (channel: number) => (chunk: Uint8Array) => {
    if (!stream.write(channel, chunk)) session.pause?.();
  };
  if (opts.stdout) session.onStdout(forward(CHANNEL.stdout));
  if (opts.stderr) session.onStderr(forward(CHANNEL.stderr));
  if (!opts.stdin) session.closeStdin();

  session.exited.then(
    (code) => stream.close({ exitCode: code }),
    (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      stream.close({ error: isStatusError(err, 'InternalError') ? toStatus(err) : internalError(`error executing command in container: ${message}`).status });
    },
  );
};
