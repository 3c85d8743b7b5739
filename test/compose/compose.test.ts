/**
 * docker compose end to end: the repository's Dockerfile and docker-compose.yml, unchanged, built
 * and run by a compose CLI against a Docker API, and the cluster they make watched heal with the
 * host's real kubectl: three nodes Ready, an RC of kubia with three replicas Running, `kill node-2`
 * → node-2 NotReady and its pods replaced on the other nodes, `start node-2` → Ready again,
 * `restart nats store` → nothing lost, `down -v`. Every step is logged with its time (`[compose
 * +12.3s] …`); `kubemu events --server <published API>` (the README's way of watching) runs from
 * before the kill until node-2 is back, and its lines are the healing log.
 *
 * Opt-in: runs only with KUBEMU_COMPOSE_E2E=1 and a Docker API (DOCKER_HOST) that has, or can
 * pull, `node:20-slim` and `nats:2.10-alpine`. CI (.ci/run) provides rootful podman with local
 * stand-ins for both (scripts/compose/). `npm test` skips it. Needs a built dist/ (built here
 * when stale, like the other e2e suites) and the host's node_modules: the image is made from them.
 * Whatever happens, `down -v` removes the project's containers, network and volume. The project is
 * KUBEMU_COMPOSE_PROJECT (CI names it, to clean up after a run that died), else kubemu-e2e-<pid>.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../services/kubemu/ports.js';
import { eventually } from '../support/eventually.js';
import { ensureBuilt } from '../support/cluster.js';
import { composeCli, composeProject, ROOT, type ComposeProject } from './compose-project.js';

const enabled = process.env.KUBEMU_COMPOSE_E2E === '1';
const NODES = ['node-1', 'node-2', 'node-3'];

interface PodView {
  name: string;
  node: string;
  phase: string;
  ready: boolean;
  terminating: boolean;
}

describe.skipIf(!enabled)('docker compose: the cluster in containers, killed and healed', () => {
  let p: ComposeProject | undefined;
  const t0 = Date.now();
  const say = (msg: string): void => console.log(`[compose +${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
  let original: PodView[] = [];
  let events: { child: ChildProcess; out: string } | undefined;

  /** `kubemu events` on the published API, in the background (stopped by pid with SIGINT, as Ctrl-C). */
  const watchEvents = (): void => {
    const child = spawn(process.execPath, [join(ROOT, 'dist/services/kubemu/main.js'), 'events', '--server', `http://127.0.0.1:${project().apiPort}`], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const e = { child, out: '' };
    child.stdout?.on('data', (d: Buffer) => (e.out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (e.out += d.toString()));
    events = e;
  };
  const stopEvents = async (): Promise<string> => {
    const e = events;
    events = undefined;
    if (!e) return '';
    if (e.child.exitCode === null && e.child.signalCode === null) {
      const gone = new Promise((r) => e.child.once('exit', r));
      e.child.kill('SIGINT');
      await gone;
    }
    return e.out;
  };

  const project = (): ComposeProject => {
    if (!p) throw new Error('the compose project did not start');
    return p;
  };
  const compose = async (args: string[], timeoutMs?: number): Promise<string> => {
    const r = await project().compose(args, timeoutMs);
    expect(r.code, `compose ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const kubectl = async (args: string[], input?: string): Promise<string> => {
    const r = await project().kubectl(args, input === undefined ? {} : { input });
    expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const nodeReady = async (): Promise<Map<string, string>> => {
    const list = JSON.parse(await kubectl(['get', 'nodes', '-o', 'json'])) as {
      items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[];
    };
    return new Map(list.items.map((n) => [n.metadata.name, n.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'missing']));
  };
  const kubiaPods = async (): Promise<PodView[]> => {
    const list = JSON.parse(await kubectl(['get', 'pods', '-l', 'app=kubia', '-o', 'json'])) as {
      items: {
        metadata: { name: string; deletionTimestamp?: string };
        spec: { nodeName?: string };
        status: { phase?: string; conditions?: { type: string; status: string }[] };
      }[];
    };
    return list.items.map((i) => ({
      name: i.metadata.name,
      node: i.spec.nodeName ?? '',
      phase: i.status.phase ?? '',
      ready: i.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
      terminating: i.metadata.deletionTimestamp !== undefined,
    }));
  };
  const serving = (pods: PodView[]): PodView[] => pods.filter((x) => x.phase === 'Running' && x.ready && !x.terminating);
  const show = (pods: PodView[]): string => pods.map((x) => `${x.name}@${x.node}:${x.terminating ? 'Terminating' : x.phase}`).join(' ');

  beforeAll(async () => {
    if (!enabled) return;
    ensureBuilt();
    p = composeProject(process.env.KUBEMU_COMPOSE_PROJECT || `kubemu-e2e-${process.pid}`, await freePort());
    say(`project ${p.name} with ${composeCli().join(' ')} on ${process.env.DOCKER_HOST ?? 'the default Docker socket'}; API on 127.0.0.1:${p.apiPort}`);
    await compose(['build'], 900_000);
    say('image built from the Dockerfile');
    await compose(['up', '-d'], 600_000);
    say('up -d done: every healthcheck passed in order');
  }, 1_500_000);

  afterAll(async () => {
    await stopEvents();
    if (!p) return;
    const ps = await p.compose(['ps']);
    say(`containers before down:\n${ps.stdout}`);
    const down = await p.down();
    say(down.code === 0 ? 'down -v: containers, network and volume removed' : `down -v failed:\n${down.stdout}\n${down.stderr}`);
    p.dispose();
    expect(down.code).toBe(0);
  }, 600_000);

  it('runs the control plane and three nodes that turn Ready, seen by the host kubectl', async () => {
    const ready = await eventually(
      async () => {
        const r = await nodeReady();
        expect(NODES.map((n) => r.get(n))).toEqual(['True', 'True', 'True']);
        return r;
      },
      { timeoutMs: 120_000, intervalMs: 1000, message: 'three Ready nodes' },
    );
    say(`nodes Ready: ${[...ready.keys()].join(', ')}`);
    const isolation = await kubectl(['get', 'node', 'node-2', '-o', 'jsonpath={.metadata.annotations.kubemu\\.io/pod-isolation}']);
    say(`node-2 pod isolation: ${isolation}`);
    expect(isolation).toBe('namespaces');
    const ui = await fetch(`http://127.0.0.1:${project().apiPort}/ui/`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('<html');
  }, 180_000);

  it('runs an RC of kubia with three replicas Running, one of them on node-2', async () => {
    await kubectl(['create', '-f', `${ROOT}/test/fixtures/manifests/rc.yaml`]);
    original = await eventually(
      async () => {
        const pods = serving(await kubiaPods());
        expect(pods).toHaveLength(3);
        return pods;
      },
      { timeoutMs: 120_000, intervalMs: 1000, message: 'three kubia pods Running' },
    );
    say(`rc kubia: ${show(original)}`);
    expect(original.some((x) => x.node === 'node-2')).toBe(true);
  }, 180_000);

  it('kill node-2: the node turns NotReady and its pods are replaced on the other nodes', async () => {
    watchEvents();
    await eventually(() => expect(events?.out ?? '').toMatch(/\S/), { timeoutMs: 2000, intervalMs: 100 }).catch(() => undefined);
    const killedAt = Date.now();
    await compose(['kill', 'node-2']);
    say('kill node-2 (SIGKILL: the container and every pod in it die at once)');
    const status = await eventually(
      async () => {
        const s = (await nodeReady()).get('node-2');
        expect(s).not.toBe('True');
        return s;
      },
      { timeoutMs: 60_000, intervalMs: 250, message: 'node-2 NotReady' },
    );
    say(`node-2 NotReady (Ready=${status}) ${((Date.now() - killedAt) / 1000).toFixed(1)}s after the kill`);
    const onNode2 = original.filter((x) => x.node === 'node-2').map((x) => x.name);
    const healed = await eventually(
      async () => {
        const pods = await kubiaPods();
        const up = serving(pods).filter((x) => x.node !== 'node-2');
        expect(up).toHaveLength(3);
        return pods;
      },
      { timeoutMs: 90_000, intervalMs: 500, message: "node-2's pods replaced on node-1/node-3" },
    );
    const replacements = serving(healed).filter((x) => !original.some((o) => o.name === x.name));
    say(`healed ${((Date.now() - killedAt) / 1000).toFixed(1)}s after the kill: ${onNode2.join(', ')} on node-2 replaced by ${show(replacements)}`);
    say(`pods now: ${show(healed)}`);
    expect(replacements.length).toBeGreaterThanOrEqual(onNode2.length);
    expect(replacements.every((x) => x.node === 'node-1' || x.node === 'node-3')).toBe(true);
  }, 180_000);

  it('start node-2: the node is Ready again and the RC keeps three replicas', async () => {
    const startedAt = Date.now();
    await compose(['start', 'node-2'], 180_000);
    await eventually(
      async () => {
        expect((await nodeReady()).get('node-2')).toBe('True');
      },
      { timeoutMs: 90_000, intervalMs: 500, message: 'node-2 Ready again' },
    );
    say(`start node-2: Ready again ${((Date.now() - startedAt) / 1000).toFixed(1)}s after start`);
    const pods = await eventually(
      async () => {
        const all = await kubiaPods();
        expect(all.filter((x) => x.terminating)).toEqual([]);
        expect(serving(all)).toHaveLength(3);
        return all;
      },
      { timeoutMs: 60_000, intervalMs: 500, message: "node-2's evicted pods confirmed gone, three serving" },
    );
    say(`node-2's kubelet confirmed the evicted pods; rc kubia: ${show(pods)}`);
    const log = await stopEvents();
    say(`kubemu events --server http://127.0.0.1:${project().apiPort}, from before the kill until now:\n${log}`);
    expect(log).toMatch(/Node\s+node-2\s+Ready → NotReady/);
    expect(log).toMatch(/Node\s+node-2\s+NotReady → Ready/);
  }, 240_000);

  it('restart nats and store: the cluster keeps its objects (JetStream in the named volume)', async () => {
    await compose(['restart', 'nats', 'store'], 180_000);
    say('restart nats store');
    await eventually(
      async () => {
        const rc = JSON.parse(await kubectl(['get', 'rc', 'kubia', '-o', 'json'])) as { spec: { replicas: number } };
        expect(rc.spec.replicas).toBe(3);
        expect(serving(await kubiaPods())).toHaveLength(3);
        expect([...(await nodeReady()).values()]).toEqual(['True', 'True', 'True']);
      },
      { timeoutMs: 90_000, intervalMs: 1000, message: 'rc kubia and three Ready nodes after the restart' },
    );
    await kubectl(['scale', 'rc', 'kubia', '--replicas', '4']);
    const pods = await eventually(
      async () => {
        const up = serving(await kubiaPods());
        expect(up).toHaveLength(4);
        return up;
      },
      { timeoutMs: 60_000, intervalMs: 500, message: 'a fourth replica after the restart' },
    );
    say(`after the restart: rc kubia still there, scaled to ${pods.length}: ${show(pods)}`);
  }, 240_000);
});
