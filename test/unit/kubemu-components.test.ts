import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  COMPONENTS,
  entryFile,
  findRoot,
  NotBuilt,
  nodeIp,
  nodeNames,
  planCluster,
  SIMULATED_KUBELET,
  simulatedNodeNames,
  type LaunchContext,
} from '../../services/kubemu/components.js';
import { subjects } from '../../shared/nats/subjects.js';

const ctx = (over: Partial<LaunchContext> = {}): LaunchContext => ({
  root: '/repo',
  dev: false,
  nodeBin: '/usr/bin/node',
  natsBin: '/usr/sbin/nats-server',
  natsConfig: '/data/nats/nats-server.conf',
  ports: { nats: 14222, natsMonitor: 18222, api: 16443 },
  nodes: nodeNames(2),
  profile: 'default',
  runtime: 'process',
  standby: false,
  simulatedNodes: 0,
  nodesDir: '/data/nodes',
  networkSlot: 0,
  ...over,
});

/** An `exists` that knows the entries of the given components (compiled and sources). */
const built = (...components: string[]) => (path: string) =>
  components.some((c) => path === `/repo/dist/services/${c}/main.js` || path === `/repo/services/${c}/main.ts`);

describe('kubemu component table', () => {
  it('starts nats-server, store and api-server in that order with the documented command lines', () => {
    const { launches, skipped } = planCluster(ctx(), COMPONENTS, built('store', 'api-server'));
    expect(launches.map((l) => [l.name, l.tier])).toEqual([
      ['nats-server', 0],
      ['store', 1],
      ['api-server', 2],
    ]);
    expect([launches[0].file, ...launches[0].args]).toEqual(['/usr/sbin/nats-server', '-c', '/data/nats/nats-server.conf']);
    expect([launches[1].file, ...launches[1].args]).toEqual(['/usr/bin/node', '/repo/dist/services/store/main.js', '--nats', 'nats://127.0.0.1:14222']);
    expect(launches[2].args).toEqual([
      '/repo/dist/services/api-server/main.js',
      '--nats',
      'nats://127.0.0.1:14222',
      '--profile',
      'default',
      '--network-slot',
      '0',
      '--port',
      '16443',
      '--host',
      '127.0.0.1',
    ]);
    expect(skipped.map((s) => s.component)).toEqual(['scheduler', 'controller-manager', 'agent', 'kubelet', 'kube-proxy']);
  });

  it('checks each process the documented way', () => {
    const { launches } = planCluster(ctx(), COMPONENTS, built('store', 'api-server'));
    expect(launches.map((l) => l.health)).toEqual([
      { kind: 'http', url: 'http://127.0.0.1:18222/healthz' },
      { kind: 'nats', subject: subjects.store.rpc('status') },
      { kind: 'http', url: 'http://127.0.0.1:16443/readyz' },
    ]);
    expect(launches.map((l) => l.port)).toEqual([14222, undefined, 16443]);
  });

  it('starts later components automatically once their entry exists, one kubelet and kube-proxy per node', () => {
    const all = built('store', 'api-server', 'scheduler', 'controller-manager', 'kubemu', 'kubelet', 'kube-proxy');
    const { launches, skipped } = planCluster(ctx(), COMPONENTS, all);
    expect(skipped).toEqual([]);
    expect(launches.map((l) => l.name)).toEqual([
      'nats-server',
      'store',
      'api-server',
      'scheduler',
      'controller-manager',
      'agent',
      'kubelet-node-1',
      'kubelet-node-2',
      'kube-proxy-node-1',
      'kube-proxy-node-2',
    ]);
    const kubelet2 = launches.find((l) => l.name === 'kubelet-node-2');
    expect(kubelet2?.args.slice(1)).toEqual([
      '--nats',
      'nats://127.0.0.1:14222',
      '--profile',
      'default',
      '--network-slot',
      '0',
      '--node-name',
      'node-2',
      '--node-ip',
      '127.1.0.2',
      '--runtime',
      'process',
      '--data-dir',
      '/data/nodes/node-2',
    ]);
    expect(kubelet2?.node).toBe('node-2');
    expect(kubelet2?.health).toEqual({ kind: 'nats', subject: subjects.control('kubelet-node-2', 'health') });
    const proxy1 = launches.find((l) => l.name === 'kube-proxy-node-1');
    expect(proxy1?.args.slice(1)).toEqual(['--nats', 'nats://127.0.0.1:14222', '--profile', 'default', '--network-slot', '0', '--node-name', 'node-1', '--node-ip', '127.1.0.1']);
    expect(proxy1?.health).toEqual({ kind: 'nats', subject: subjects.control('kube-proxy-node-1', 'health') });
    const scheduler = launches.find((l) => l.name === 'scheduler');
    expect(scheduler?.args.slice(1)).toEqual(['--nats', 'nats://127.0.0.1:14222', '--profile', 'default', '--network-slot', '0', '--name', 'scheduler']);
    expect(scheduler?.health).toEqual({ kind: 'nats', subject: subjects.control('scheduler', 'health') });
  });

  it('passes the profile, the network slot and the runtime to every component that has timings or addresses', () => {
    const all = built('store', 'api-server', 'scheduler', 'controller-manager', 'kubelet', 'kube-proxy');
    const { launches } = planCluster(ctx({ profile: 'kubernetes', runtime: 'simulated', networkSlot: 3 }), COMPONENTS, all);
    for (const l of launches) {
      const at = l.args.indexOf('--profile');
      const slot = l.args.indexOf('--network-slot');
      if (l.component === 'nats-server' || l.component === 'store') expect([at, slot], l.name).toEqual([-1, -1]);
      else expect([l.args[at + 1], l.args[slot + 1]], l.name).toEqual(['kubernetes', '3']);
    }
    const kubelet = launches.find((l) => l.name === 'kubelet-node-1');
    expect(kubelet?.args[kubelet.args.indexOf('--runtime') + 1]).toBe('simulated');
    expect(kubelet?.args[kubelet.args.indexOf('--node-ip') + 1]).toBe('127.4.0.1');
  });

  it('adds a standby scheduler and controller-manager, each electing under its own name', () => {
    const { launches } = planCluster(ctx({ standby: true }), COMPONENTS, built('store', 'api-server', 'scheduler', 'controller-manager'));
    expect(launches.filter((l) => l.tier === 3).map((l) => [l.name, l.component, l.args.at(-1)])).toEqual([
      ['scheduler', 'scheduler', 'scheduler'],
      ['scheduler-2', 'scheduler', 'scheduler-2'],
      ['controller-manager', 'controller-manager', 'controller-manager'],
      ['controller-manager-2', 'controller-manager', 'controller-manager-2'],
    ]);
    expect(launches.find((l) => l.name === 'scheduler-2')?.health).toEqual({ kind: 'nats', subject: subjects.control('scheduler-2', 'health') });
  });

  it('hosts simulated nodes in one more kubelet process, with no kube-proxy of their own', () => {
    const all = built('store', 'api-server', 'kubelet', 'kube-proxy');
    const { launches } = planCluster(ctx({ nodes: nodeNames(1), simulatedNodes: 100 }), COMPONENTS, all);
    expect(launches.filter((l) => l.tier === 4).map((l) => l.name)).toEqual(['kubelet-node-1', SIMULATED_KUBELET, 'kube-proxy-node-1']);
    const sim = launches.find((l) => l.name === SIMULATED_KUBELET);
    expect(sim?.node).toBeUndefined();
    expect(sim?.args.slice(1)).toEqual([
      '--nats',
      'nats://127.0.0.1:14222',
      '--profile',
      'default',
      '--network-slot',
      '0',
      '--node-prefix',
      'sim',
      '--simulated-nodes',
      '100',
      '--runtime',
      'simulated',
      '--data-dir',
      '/data/nodes/sim',
    ]);
    expect(simulatedNodeNames(3)).toEqual(['sim-1', 'sim-2', 'sim-3']);
  });

  it('gives node-i the address 127.(1+slot).x.y of the address plan, and other names none', () => {
    expect(nodeIp('node-1')).toBe('127.1.0.1');
    expect(nodeIp('node-300')).toBe('127.1.1.44');
    expect(nodeIp('node-2', 5)).toBe('127.6.0.2');
    expect(nodeIp('worker')).toBeUndefined();
  });

  it('runs the TypeScript sources through tsx in dev mode', () => {
    const { launches } = planCluster(ctx({ dev: true }), COMPONENTS, built('store', 'api-server'));
    expect([launches[1].file, ...launches[1].args.slice(0, 3)]).toEqual(['/usr/bin/node', '--import', 'tsx', '/repo/services/store/main.ts']);
    expect(entryFile('services/store/main', false)).toBe(join('dist', 'services/store/main.js'));
  });

  it('refuses to plan without a required component and says how to build it', () => {
    expect(() => planCluster(ctx(), COMPONENTS, built('store'))).toThrow(NotBuilt);
    expect(() => planCluster(ctx(), COMPONENTS, built('store'))).toThrow('api-server cannot start: dist/services/api-server/main.js is missing; run `npm run build`');
  });

  it('plans no node processes for zero nodes', () => {
    const { launches } = planCluster(ctx({ nodes: [] }), COMPONENTS, built('store', 'api-server', 'kubelet'));
    expect(launches.some((l) => l.component === 'kubelet')).toBe(false);
  });

  it('finds the repository root from the compiled or the source location of the CLI', () => {
    const exists = (p: string) => ['/repo/package.json', '/repo/services'].includes(p);
    expect(findRoot(pathToFileURL('/repo/dist/services/kubemu/main.js').href, exists)).toBe('/repo');
    expect(findRoot(pathToFileURL('/repo/services/kubemu/main.ts').href, exists)).toBe('/repo');
    expect(() => findRoot(pathToFileURL('/elsewhere/x.js').href, exists)).toThrow('cannot find the kubemu repository root');
  });
});
