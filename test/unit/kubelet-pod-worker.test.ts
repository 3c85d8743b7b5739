import { afterEach, describe, expect, it } from 'vitest';
import { resourceByPlural } from '../../shared/api/resources.js';
import { pod as podObject } from '../support/builders.js';
import { PODS, startKubeletHarness, ZERO_STAGES, type KubeletHarness } from '../support/kubelet-harness.js';
import { settle } from '../support/settle.js';

let h: KubeletHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

function containerState(pod: any, i = 0): any {
  return pod?.status?.containerStatuses?.[i]?.state;
}

describe('kubelet pod worker (simulated runtime, fake clock)', () => {
  it('runs a bound pod: Running with an IP from the node CIDR, conditions True, events in order', async () => {
    h = await startKubeletHarness();
    await h.createPod(podObject('kubia-manual'));
    await h.tick(100);
    const pod = (await h.pod('kubia-manual'))!;
    expect(pod.status?.phase).toBe('Running');
    expect(pod.status?.podIP).toBe('127.128.1.2');
    expect(pod.status?.podIPs).toEqual([{ ip: '127.128.1.2' }]);
    expect(pod.status?.hostIP).toBe('127.1.0.1');
    expect(pod.status?.startTime).toBeTruthy();
    const conds = Object.fromEntries((pod.status?.conditions ?? []).map((c) => [c.type, c.status]));
    expect(conds).toMatchObject({ PodReadyToStartContainers: 'True', Initialized: 'True', Ready: 'True', ContainersReady: 'True' });
    expect(pod.status?.conditions?.map((c) => c.type).slice(0, 4)).toEqual(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady']);
    const cs = pod.status!.containerStatuses![0];
    expect(cs).toMatchObject({ name: 'kubia', ready: true, started: true, restartCount: 0, image: 'luksa/kubia' });
    expect(cs.state?.running?.startedAt).toBeTruthy();
    expect(cs.containerID).toMatch(/^simulated:\/\//);
    expect(cs.imageID).toContain('docker.io/luksa/kubia@sha256:');
    const events = await h.events('kubia-manual');
    expect(events.map((e) => e.reason)).toEqual(['Pulling', 'Pulled', 'Created', 'Started']);
    expect(events[0].message).toBe('Pulling image "luksa/kubia"');
    expect(events[1].message).toMatch(/^Successfully pulled image "luksa\/kubia" in \d+ms \(\d+ms including waiting\)$/);
    expect(events[2].message).toBe('Created container kubia');
    expect(events[3].message).toBe('Started container kubia');
  });

  it('gives each pod its own IP and does not reuse a freed one at once', async () => {
    h = await startKubeletHarness();
    await h.createPod(podObject('a'));
    await h.createPod(podObject('b'));
    await h.tick(100);
    const a = (await h.pod('a'))!.status!.podIP;
    const b = (await h.pod('b'))!.status!.podIP;
    expect(new Set([a, b]).size).toBe(2);
    await h.api.delete(PODS, 'default', 'a');
    await h.tick(200);
    expect(await h.pod('a')).toBeUndefined();
    await h.createPod(podObject('c'));
    await h.tick(100);
    const c = (await h.pod('c'))!.status!.podIP;
    expect([a, b]).not.toContain(c);
  });

  it('shows ErrImagePull, then ImagePullBackOff with growing waits, for an unknown image', async () => {
    h = await startKubeletHarness();
    await h.createPod(podObject('bad', { image: 'nope/does-not-exist:1.0' }));
    await h.tick(50);
    let st = containerState(await h.pod('bad'));
    expect(st.waiting.reason).toBe('ErrImagePull');
    expect(st.waiting.message).toContain('not found');
    expect((await h.pod('bad'))!.status!.phase).toBe('Pending');
    const events = await h.events('bad');
    expect(events.map((e) => e.message)).toEqual(
      expect.arrayContaining(['Pulling image "nope/does-not-exist:1.0"', 'Error: ErrImagePull', expect.stringMatching(/^Failed to pull image "nope\/does-not-exist:1.0": /)]),
    );
    // Halfway through the first back-off (1 s) the container shows ImagePullBackOff.
    await h.tick(500);
    st = containerState(await h.pod('bad'));
    expect(st.waiting.reason).toBe('ImagePullBackOff');
    expect(st.waiting.message).toBe('Back-off pulling image "nope/does-not-exist:1.0"');
    // After the first back-off (1 s) the pull is tried again, fails again, and the next wait is 2 s.
    await h.tick(500);
    expect((await h.events('bad')).find((e) => e.reason === 'Pulling')?.count).toBe(2);
    expect(containerState(await h.pod('bad')).waiting.reason).toBe('ErrImagePull');
    await h.tick(1500);
    expect((await h.events('bad')).find((e) => e.reason === 'Pulling')?.count).toBe(2);
    await h.tick(600);
    expect((await h.events('bad')).find((e) => e.reason === 'Pulling')?.count).toBe(3);
    expect((await h.events('bad')).some((e) => e.message === 'Error: ImagePullBackOff')).toBe(true);
  });

  it('restarts a crashing container with doubling back-off and shows CrashLoopBackOff', async () => {
    h = await startKubeletHarness();
    await h.createPod(podObject('crash', { image: 'kubemu/crasher' }));
    await h.tick(100);
    expect(containerState(await h.pod('crash')).running).toBeTruthy();
    // exits after 1 s; the first restart is immediate
    await h.tick(1000);
    let pod = (await h.pod('crash'))!;
    expect(pod.status!.containerStatuses![0].restartCount).toBe(1);
    expect(pod.status!.containerStatuses![0].lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    // exits again at 2 s: now it waits 1 s in CrashLoopBackOff
    await h.tick(1000);
    pod = (await h.pod('crash'))!;
    const cs = pod.status!.containerStatuses![0];
    expect(cs.state?.waiting?.reason).toBe('CrashLoopBackOff');
    expect(cs.state?.waiting?.message).toMatch(/^back-off 1s restarting failed container=kubia pod=crash_default\(/);
    expect(cs.ready).toBe(false);
    expect(pod.status!.phase).toBe('Running');
    const restartTimes: number[] = [];
    let last = cs.restartCount;
    for (let i = 0; i < 120 && restartTimes.length < 3; i++) {
      await h.tick(100);
      const n = (await h.pod('crash'))!.status!.containerStatuses![0].restartCount;
      if (n !== last) {
        restartTimes.push(h.clock.now());
        last = n;
      }
    }
    expect(restartTimes).toHaveLength(3);
    // run 1 s, wait 2 s, run 1 s, wait 4 s …: the gaps between restarts grow
    const gaps = [restartTimes[1] - restartTimes[0], restartTimes[2] - restartTimes[1]];
    expect(gaps[1]).toBeGreaterThan(gaps[0]);
    expect((await h.events('crash')).some((e) => e.reason === 'BackOff' && /^Back-off restarting failed container kubia in pod crash_default\(/.test(e.message))).toBe(true);
  });

  it('finishes pods by restartPolicy: Never + exit 1 → Failed, OnFailure + exit 0 → Succeeded, and runs them no more', async () => {
    h = await startKubeletHarness();
    const failing = podObject('job-fail', { image: 'busybox' });
    failing.spec.restartPolicy = 'Never';
    failing.spec.containers[0].env = [{ name: 'KUBEMU_SIM_EXIT_AFTER_MS', value: '500' }, { name: 'KUBEMU_SIM_EXIT_CODE', value: '1' }];
    const ok = podObject('job-ok', { image: 'busybox' });
    ok.spec.restartPolicy = 'OnFailure';
    ok.spec.containers[0].env = [{ name: 'KUBEMU_SIM_EXIT_AFTER_MS', value: '500' }];
    await h.createPod(failing);
    await h.createPod(ok);
    await h.tick(1000);
    const f = (await h.pod('job-fail'))!;
    expect(f.status!.phase).toBe('Failed');
    expect(f.status!.containerStatuses![0].state?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(f.status!.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
    const s = (await h.pod('job-ok'))!;
    expect(s.status!.phase).toBe('Succeeded');
    expect(s.status!.containerStatuses![0].state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    await h.tick(5000);
    expect((await h.pod('job-ok'))!.status!.containerStatuses![0].restartCount).toBe(0);
    expect((await h.events('job-ok')).filter((e) => e.reason === 'Started')).toHaveLength(1);
  });

  it('runs init containers to completion before the containers', async () => {
    h = await startKubeletHarness();
    const p = podObject('with-init');
    p.spec.initContainers = [{ name: 'setup', image: 'busybox', env: [{ name: 'KUBEMU_SIM_EXIT_AFTER_MS', value: '1000' }] }];
    await h.createPod(p);
    await h.tick(200);
    let pod = (await h.pod('with-init'))!;
    expect(pod.status!.phase).toBe('Pending');
    expect(pod.status!.conditions!.find((c) => c.type === 'Initialized')).toMatchObject({ status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [setup]' });
    expect(pod.status!.initContainerStatuses![0].state?.running).toBeTruthy();
    expect(containerState(pod).waiting.reason).toBe('PodInitializing');
    await h.tick(1000);
    pod = (await h.pod('with-init'))!;
    expect(pod.status!.phase).toBe('Running');
    expect(pod.status!.initContainerStatuses![0]).toMatchObject({ ready: true, state: { terminated: { exitCode: 0, reason: 'Completed' } } });
    expect(pod.status!.conditions!.find((c) => c.type === 'Initialized')?.status).toBe('True');
  });

  it('waits the grace period before SIGKILL and only then removes the pod', async () => {
    h = await startKubeletHarness({ stages: { ...ZERO_STAGES, known: ['*'], images: [{ image: 'stubborn*', ignoreTerm: true }] } });
    const p = podObject('slow', { image: 'stubborn:1' });
    p.spec.terminationGracePeriodSeconds = 5;
    await h.createPod(p);
    await h.tick(100);
    const uid = (await h.pod('slow'))!.metadata.uid!;
    const id = h.runtime.containersOf(uid)[0].id;
    await h.api.delete(PODS, 'default', 'slow');
    await h.tick(4000);
    expect((await h.pod('slow'))?.metadata.deletionTimestamp).toBeTruthy();
    expect(h.runtime.container(id)?.state.state).toBe('running');
    await h.tick(1500);
    expect(await h.pod('slow')).toBeUndefined();
    expect((await h.events('slow')).some((e) => e.reason === 'Killing' && e.message === 'Stopping container kubia')).toBe(true);
  });

  it('stops the containers of a pod that disappears from the API without writing anything', async () => {
    h = await startKubeletHarness();
    await h.createPod(podObject('gone'));
    await h.tick(100);
    const uid = (await h.pod('gone'))!.metadata.uid!;
    const id = h.runtime.containersOf(uid)[0].id;
    const writes: string[] = [];
    h.api.reactor((call) => {
      if (call.resource === PODS && call.verb !== 'watch' && call.verb !== 'list') writes.push(`${call.verb} ${call.name}`);
    });
    await h.api.delete(PODS, 'default', 'gone', { gracePeriodSeconds: 0 });
    writes.length = 0;
    await h.tick(200);
    expect(h.runtime.container(id)).toBeUndefined(); // sandbox removed with its containers
    expect(writes).toEqual([]);
  });

  it('keeps a running pod’s IP from the API after a restart and never re-runs a finished pod', async () => {
    h = await startKubeletHarness();
    await h.api.create(PODS, 'default', {
      ...podObject('kept', { nodeName: 'node-1' }),
      status: { phase: 'Running', podIP: '127.128.1.77', containerStatuses: [{ name: 'kubia', restartCount: 2, ready: true, image: 'luksa/kubia', imageID: '', state: { running: {} } }] },
    });
    await h.api.create(PODS, 'default', {
      ...podObject('done', { nodeName: 'node-1' }),
      status: { phase: 'Succeeded', podIP: '127.128.1.78', containerStatuses: [{ name: 'kubia', restartCount: 0, ready: false, image: 'luksa/kubia', imageID: '', state: { terminated: { exitCode: 0 } } }] },
    });
    await h.tick(200);
    const kept = (await h.pod('kept'))!;
    expect(kept.status!.podIP).toBe('127.128.1.77');
    expect(kept.status!.containerStatuses![0].restartCount).toBe(3);
    const done = (await h.pod('done'))!;
    expect(done.status!.phase).toBe('Succeeded');
    expect(h.runtime.containersOf(done.metadata.uid!)).toEqual([]);
  });

  it('waits in CreateContainerConfigError for a missing ConfigMap and starts once it exists', async () => {
    h = await startKubeletHarness();
    const p = podObject('cfg');
    p.spec.containers[0].env = [{ name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'settings', key: 'greeting' } } }];
    await h.createPod(p);
    await h.tick(100);
    const st = containerState(await h.pod('cfg'));
    expect(st.waiting).toEqual({ reason: 'CreateContainerConfigError', message: 'configmap "settings" not found' });
    await h.api.create(resourceByPlural('configmaps'), 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { greeting: 'hi' } });
    await h.tick(2500);
    expect(containerState(await h.pod('cfg')).running).toBeTruthy();
  });

  it('fails a pod past activeDeadlineSeconds with DeadlineExceeded', async () => {
    h = await startKubeletHarness();
    const p = podObject('deadline');
    p.spec.activeDeadlineSeconds = 2;
    await h.createPod(p);
    await h.tick(2100);
    const pod = (await h.pod('deadline'))!;
    expect(pod.status).toMatchObject({ phase: 'Failed', reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' });
    await settle();
  });
});
