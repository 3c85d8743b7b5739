/**
 * The dashboard page: wires the model (model.ts), the event stream (stream-client.ts), the
 * renderers and the buttons (actions.ts). Everything on the page comes from `/stream`: the initial
 * state from its replay (`resourceVersion=0`), then live changes, with no reload ever — after an
 * api-server restart the stream resumes from the last version seen.
 *
 * Rendering is batched: messages mark what changed, and one animation frame redraws it, however
 * many messages arrived. The buttons call `api/<op>` and log the answer; a node this page
 * partitioned is shown as `partitioned` until it is healed (or started). The healing timeline is
 * fed the same messages plus the page's own actions (render-timeline.ts).
 */
import type { StreamChange, StreamMessage } from '../../../shared/api/stream.js';
import { runAction, type NodeAction } from './actions.js';
import { addEntries, type LogEntry } from './log-entries.js';
import { readyStatus } from './looks.js';
import { ClusterModel, STREAM_KINDS } from './model.js';
import { nodesView } from './render-nodes.js';
import { renderControllers, renderLog } from './render-log.js';
import { timelineView } from './render-timeline.js';
import { streamClient, type ConnectionState, type SocketLike } from './stream-client.js';

const byId = (id: string): HTMLElement => {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page has no #${id}`);
  return e;
};

const model = new ClusterModel();
const busy = new Map<string, string>();
let log: LogEntry[] = [];
let logChanged = true;
let frame = 0;
const now = (): string => new Date().toISOString();

const BUSY_WORDS: Record<NodeAction, string> = { kill: 'killing', partition: 'partitioning', start: 'starting', heal: 'healing' };

const nodes = nodesView(byId('nodes'), { onAction: (op, node) => void act(op, node) });
const timeline = timelineView(byId('timeline'));
const connection = byId('connection');

function render(): void {
  frame = 0;
  nodes.update(model, busy);
  renderControllers(byId('controllers'), model.controllers.values());
  if (logChanged) renderLog(byId('log'), log);
  logChanged = false;
  timeline.update();
  const all = [...model.nodes.values()];
  const pods = [...model.pods.values()];
  const running = pods.filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp).length;
  byId('summary').textContent = `${all.filter((n) => readyStatus(n) === 'True').length}/${all.length} nodes Ready · ${running}/${pods.length} pods Running`;
}

function schedule(): void {
  if (frame === 0) frame = requestAnimationFrame(render);
}

function addLog(entries: LogEntry[], replay = false): void {
  if (entries.length === 0) return;
  log = addEntries(log, entries, replay);
  logChanged = true;
}

async function act(op: NodeAction, node: string): Promise<void> {
  if (busy.has(node)) return;
  busy.set(node, BUSY_WORDS[op]);
  timeline.chaos({ time: now(), action: op, target: node, by: 'dashboard', nodes: [node] });
  schedule();
  const outcome = await runAction((url, init) => fetch(url, init), now, op, node);
  busy.delete(node);
  if (outcome.ok && op === 'partition') model.partitioned.add(node);
  if (outcome.ok && (op === 'heal' || op === 'start')) model.partitioned.delete(node);
  addLog([outcome.entry]);
  schedule();
}

function showState(state: ConnectionState, detail?: string): void {
  connection.dataset.state = state;
  const words: Record<ConnectionState, string> = { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…', resyncing: 'resyncing…', stopped: 'stopped' };
  connection.textContent = words[state];
  connection.title = detail ?? '';
}

function streamUrl(resourceVersion: string): string {
  const url = new URL('/stream', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = new URLSearchParams({ kinds: STREAM_KINDS.join(','), resourceVersion }).toString();
  return url.href;
}

function onMessage(m: StreamMessage): void {
  const replay = !model.caughtUp;
  addLog(model.apply(m), replay);
  if (m.type === 'ADDED' || m.type === 'MODIFIED' || m.type === 'DELETED') timeline.record(m as StreamChange);
  schedule();
}

byId('no-script').remove();
const client = streamClient({
  url: streamUrl,
  // The browser's WebSocket is a SocketLike; its handlers take Events, which TS cannot see fit ours.
  open: (url) => new WebSocket(url) as unknown as SocketLike,
  resumeFrom: () => model.resourceVersion,
  onMessage,
  onReset: () => {
    model.reset();
    timeline.reset();
    schedule();
  },
  onState: showState,
  schedule: (fn, ms) => {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
});
client.start();
// The timeline's "healing, … so far" moves even when the cluster is quiet.
setInterval(schedule, 1000);
addEventListener('pagehide', () => client.stop());
addEventListener('pageshow', (e) => {
  if (e.persisted) client.start();
// The timeline's "healing, … so far" moves even when the cluster is quiet.
setInterval(schedule, 1000); // back from the back-forward cache
});
