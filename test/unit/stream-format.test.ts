import { beforeAll, describe, expect, it } from 'vitest';
import type { StreamChange } from '../../shared/api/stream.js';
import { EventFormatter } from '../../services/kubemu/event-format.js';
import { podStatusWord } from '../../services/kubemu/event-summary.js';
import { parseArgs } from '../../services/kubemu/args.js';
import { commandHelp } from '../../services/kubemu/cli.js';
import { eventsCommand } from '../../services/kubemu/commands/events.js';
import { streamUrl } from '../../services/kubemu/stream-session.js';

beforeAll(() => {
  process.env.TZ = 'UTC'; // lines show local time; pin it
});

let rv = 100;
function msg(type: StreamChange['type'], kind: string, name: string, object: any, ns: string | null = 'default', at = '2026-03-01T14:02:07.412Z'): StreamChange {
  rv++;
  return { type, kind, apiVersion: 'v1', ...(ns ? { namespace: ns } : {}), name, uid: `uid-${kind}-${name}`, resourceVersion: String(rv), time: at, object: { kind, metadata: { name, ...(ns ? { namespace: ns } : {}) }, ...object } };
}

const pod = (status: any, spec: any = {}) => ({ spec: { containers: [{ name: 'c' }], ...spec }, status });
const node = (ready: string, extra: any = {}) => ({ spec: extra.spec ?? {}, status: { conditions: [{ type: 'Ready', status: ready, reason: ready === 'True' ? 'KubeletReady' : 'NodeStatusUnknown' }] } });

describe('kubemu events lines', () => {
  it('follows a pod from creation to running, saying only what changed', () => {
    const f = new EventFormatter({ colour: false });
    const lines = [
      f.format(msg('ADDED', 'Pod', 'kubia-x', pod({ phase: 'Pending' }))),
      f.format(msg('MODIFIED', 'Pod', 'kubia-x', pod({ phase: 'Pending' }, { nodeName: 'node-2' }))),
      f.format(msg('MODIFIED', 'Pod', 'kubia-x', pod({ phase: 'Pending', containerStatuses: [{ ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] }, { nodeName: 'node-2' }))),
      f.format(msg('MODIFIED', 'Pod', 'kubia-x', pod({ phase: 'Running', podIP: '127.128.2.4', containerStatuses: [{ ready: true, restartCount: 0, state: { running: {} } }] }, { nodeName: 'node-2' }))),
      f.format(msg('DELETED', 'Pod', 'kubia-x', pod({ phase: 'Running', containerStatuses: [{ ready: true, state: { running: {} } }] }, { nodeName: 'node-2' }))),
    ];
    expect(lines).toEqual([
      '14:02:07.412 + Pod        default/kubia-x  Pending  ready 0/1',
      '14:02:07.412 ~ Pod        default/kubia-x  scheduled to node-2',
      '14:02:07.412 ~ Pod        default/kubia-x  Pending → ContainerCreating',
      '14:02:07.412 ~ Pod        default/kubia-x  ContainerCreating → Running  ready 0/1 → 1/1  ip 127.128.2.4',
      '14:02:07.412 - Pod        default/kubia-x  deleted (was Running, on node-2, ready 1/1)',
    ]);
  });

  it('shows a node going NotReady with its reason and taints, and leaves out status writes that change nothing', () => {
    const f = new EventFormatter({ colour: false });
    expect(f.format(msg('ADDED', 'Node', 'node-2', node('True'), null))).toBe('14:02:07.412 + Node       node-2  Ready');
    expect(f.format(msg('MODIFIED', 'Node', 'node-2', node('True'), null))).toBeUndefined();
    expect(f.format(msg('MODIFIED', 'Node', 'node-2', node('Unknown'), null))).toBe('14:02:07.412 ~ Node       node-2  Ready → NotReady  because NodeStatusUnknown');
    const tainted = { ...node('Unknown'), spec: { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] } };
    expect(f.format(msg('MODIFIED', 'Node', 'node-2', tainted, null))).toBe('14:02:07.412 ~ Node       node-2  taints +node.kubernetes.io/unreachable:NoExecute');
    expect(f.format(msg('MODIFIED', 'Node', 'node-2', node('True'), null))).toBe('14:02:07.412 ~ Node       node-2  NotReady → Ready  taints -node.kubernetes.io/unreachable:NoExecute');
    const verbose = new EventFormatter({ colour: false, verbose: true });
    verbose.format(msg('ADDED', 'Node', 'node-1', node('True'), null));
    expect(verbose.format(msg('MODIFIED', 'Node', 'node-1', node('True'), null))).toMatch(/no change/);
  });

  it('prints Events with their type, reason, message and the object they are about', () => {
    const f = new EventFormatter({ colour: false });
    const ev = (type: string, reason: string, message: string, count = 1) => ({ type, reason, message, count, involvedObject: { kind: 'Pod', name: 'kubia-x', namespace: 'default' } });
    expect(f.format(msg('ADDED', 'Event', 'kubia-x.17f', ev('Normal', 'Scheduled', 'Successfully assigned default/kubia-x to node-2')))).toBe(
      '14:02:07.412 + Event      default/kubia-x  Normal Scheduled  Successfully assigned default/kubia-x to node-2',
    );
    expect(f.format(msg('MODIFIED', 'Event', 'kubia-x.180', ev('Warning', 'BackOff', 'Back-off restarting failed container', 4)))).toBe(
      '14:02:07.412 ~ Event      default/kubia-x  Warning BackOff  Back-off restarting failed container (×4)',
    );
    expect(f.format(msg('DELETED', 'Event', 'kubia-x.17f', ev('Normal', 'Scheduled', '')))).toBeUndefined();
  });

  it('summarises controllers, services and kinds without a summary', () => {
    const f = new EventFormatter({ colour: false });
    expect(f.format(msg('ADDED', 'ReplicationController', 'kubia', { spec: { replicas: 3 }, status: { replicas: 3, readyReplicas: 2 } }))).toBe(
      '14:02:07.412 + ReplicationController default/kubia  ready 2/3  current 3',
    );
    expect(f.format(msg('MODIFIED', 'ReplicationController', 'kubia', { spec: { replicas: 3 }, status: { replicas: 3, readyReplicas: 3 } }))).toBe(
      '14:02:07.412 ~ ReplicationController default/kubia  ready 2/3 → 3/3',
    );
    expect(f.format(msg('ADDED', 'ConfigMap', 'cfg', {}))).toBe('14:02:07.412 + ConfigMap  default/cfg');
    expect(f.format(msg('MODIFIED', 'ConfigMap', 'cfg', {}))).toBe('14:02:07.412 ~ ConfigMap  default/cfg');
    // A change first seen as MODIFIED (the tail started later) shows the whole summary.
    expect(f.format(msg('MODIFIED', 'Service', 'kubia', { spec: { type: 'LoadBalancer', clusterIP: '127.64.0.10' }, status: { loadBalancer: { ingress: [{ ip: '127.96.0.1' }] } } }))).toBe(
      '14:02:07.412 ~ Service    default/kubia  LoadBalancer  ip 127.64.0.10  external 127.96.0.1',
    );
  });

  it('colours only when asked: status words by how healthy they are', () => {
    const plain = new EventFormatter({ colour: false }).format(msg('ADDED', 'Pod', 'p', pod({ phase: 'Running', containerStatuses: [{ ready: true }] })))!;
    expect(plain).not.toMatch(/\x1b/);
    const coloured = new EventFormatter({ colour: true }).format(msg('ADDED', 'Pod', 'p', pod({ phase: 'Running', containerStatuses: [{ ready: true }] })))!;
    expect(coloured).toContain('\x1b[32mRunning\x1b[0m');
    const down = new EventFormatter({ colour: true }).format(msg('ADDED', 'Node', 'n', node('False'), null))!;
    expect(down).toContain('\x1b[31mNotReady\x1b[0m');
    expect(coloured.replace(/\x1b\[\d+m/g, '')).toBe(plain);
  });

  it('says nothing for bookmarks and the like', () => {
    const f = new EventFormatter({ colour: false });
    expect(f.format({ type: 'BOOKMARK', resourceVersion: '5', time: '2026-03-01T14:02:07.412Z' })).toBeUndefined();
    expect(f.format({ type: 'SLOW', message: 'x' })).toBeUndefined();
  });

  it('reads a pod status word as kubectl does', () => {
    expect(podStatusWord({ metadata: { deletionTimestamp: 'x' }, status: { phase: 'Running' } })).toBe('Terminating');
    expect(podStatusWord({ status: { phase: 'Running', containerStatuses: [{ state: { waiting: { reason: 'CrashLoopBackOff' } } }] } })).toBe('CrashLoopBackOff');
    expect(podStatusWord({ status: { phase: 'Failed', reason: 'Evicted' } })).toBe('Evicted');
    expect(podStatusWord({ status: { phase: 'Succeeded', containerStatuses: [{ state: { terminated: { reason: 'Completed' } } }] } })).toBe('Succeeded');
  });
});

describe('kubemu events flags', () => {
  it('takes kubectl-style -n and -l besides the long names', () => {
    const a = parseArgs(['-n', 'team-a', '-l=app=kubia', '--kinds', 'pods,nodes', '--json', '--since', '42'], eventsCommand.flags, {});
    expect(a.flags).toMatchObject({ namespace: 'team-a', selector: 'app=kubia', kinds: 'pods,nodes', json: true, since: 42 });
    expect(() => parseArgs(['-x'], eventsCommand.flags, {})).toThrow('unknown flag -x');
    expect(() => parseArgs(['-n'], eventsCommand.flags, {})).toThrow('-n needs a value');
    expect(commandHelp(eventsCommand)).toMatch(/-n, --namespace NS/);
  });

  it('builds the stream URL from the api-server URL', () => {
    expect(streamUrl('http://127.0.0.1:6443', { kinds: 'pods', namespace: undefined, labelSelector: 'app=a,b!=c', resourceVersion: '7' })).toBe(
      'ws://127.0.0.1:6443/stream?kinds=pods&labelSelector=app%3Da%2Cb%21%3Dc&resourceVersion=7',
    );
    expect(streamUrl('https://k:1/', {})).toBe('wss://k:1/stream');
  });
});
