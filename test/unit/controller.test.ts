import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../shared/runtime/clock.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { Pod } from '../../shared/api/core.js';
import { SharedInformer } from '../../shared/informer/informer.js';
import { Controller, type Reconciler, type ReconcileResult } from '../../shared/controller/controller.js';
import { FakeApi } from '../support/fake-api.js';
import { alreadyExists, conflict, MODIFIED_CONFLICT } from '../../shared/api/errors.js';
import type { Logger } from '../../shared/runtime/logger.js';
import { advance, settle } from '../support/settle.js';

const PODS = resourceByPlural('pods');

function pod(name: string, owner?: string): Pod {
  return { metadata: { name, namespace: 'default', labels: owner ? { owner } : {} }, spec: { containers: [{ name: 'c' }] } };
}

let abort: AbortController;
afterEach(() => abort?.abort());

async function setup(reconcile: (key: string, signal: AbortSignal) => Promise<ReconcileResult | void>, workers = 1) {
  const clock = new FakeClock();
  const fake = new FakeApi(clock);
  const informer = new SharedInformer<Pod>({ api: fake, resource: PODS, clock });
  const reconciler: Reconciler = { reconcile };
  const controller = new Controller({ name: 'test', reconciler, workers, clock }).watch(informer);
  abort = new AbortController();
  void informer.run(abort.signal);
  return { clock, fake, informer, controller };
}

describe('Controller', () => {
  it('reconciles every existing object once at start, by key', async () => {
    const seen: string[] = [];
    const { fake, controller } = await setup(async (key) => void seen.push(key));
    await fake.create(PODS, 'default', pod('a'));
    await fake.create(PODS, 'default', pod('b'));
    void controller.run(abort.signal);
    await settle();
    expect(seen.sort()).toEqual(['default/a', 'default/b']);
  });

  it('requeues a failing key with exponential back-off, and forgets it on success', async () => {
    const attempts: number[] = [];
    let failuresLeft = 3;
    const { clock, fake, controller } = await setup(async () => {
      attempts.push(clock.now());
      if (failuresLeft-- > 0) throw new Error('not yet');
    });
    await fake.create(PODS, 'default', pod('a'));
    void controller.run(abort.signal);
    await advance(clock, 100, 1);
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]);
    expect(gaps).toEqual([5, 10, 20]);

    // Success forgot the failures: the next failure starts again at the base delay.
    failuresLeft = 1;
    attempts.length = 0;
    controller.enqueue('default/a');
    await advance(clock, 20, 1);
    expect(attempts.slice(1).map((t, i) => t - attempts[i])).toEqual([5]);
  });

  it('requeues a key whose reconcile lost a write to a Conflict or AlreadyExists with back-off, logging no error', async () => {
    const attempts: number[] = [];
    const errors: unknown[] = [];
    const log = { child: () => log, error: (o: unknown) => errors.push(o), warn: () => {}, info: () => {}, debug: () => {} } as unknown as Logger;
    const clock = new FakeClock();
    const fake = new FakeApi(clock);
    const informer = new SharedInformer<Pod>({ api: fake, resource: PODS, clock });
    const lost = [conflict('pods', 'a', MODIFIED_CONFLICT), alreadyExists('endpoints', 'a')];
    const controller = new Controller({
      name: 'test',
      clock,
      log,
      reconciler: {
        reconcile: async () => {
          attempts.push(clock.now());
          const err = lost.shift();
          if (err) throw err;
        },
      },
    }).watch(informer);
    abort = new AbortController();
    void informer.run(abort.signal);
    await fake.create(PODS, 'default', pod('a'));
    void controller.run(abort.signal);
    await advance(clock, 100, 1);
    expect(attempts.slice(1).map((t, i) => t - attempts[i])).toEqual([5, 10]);
    expect(errors).toEqual([]);
  });

  it('reconciles again after requeueAfterMs', async () => {
    const attempts: number[] = [];
    const { clock, fake, controller } = await setup(async () => {
      attempts.push(clock.now());
      return { requeueAfterMs: 1000 };
    });
    await fake.create(PODS, 'default', pod('a'));
    void controller.run(abort.signal);
    await settle();
    const start = clock.now();
    await advance(clock, 2500, 100);
    expect(attempts.map((t) => t - start)).toEqual([0, 1000, 2000]);
  });

  it('never runs two workers on one key, and reconciles a key changed meanwhile once more', async () => {
    const active = new Map<string, number>();
    let maxPerKey = 0;
    const calls: string[] = [];
    let release!: () => void;
    const blocked = new Promise<void>((r) => (release = r));
    const { fake, controller } = await setup(async (key) => {
      calls.push(key);
      active.set(key, (active.get(key) ?? 0) + 1);
      maxPerKey = Math.max(maxPerKey, active.get(key) ?? 0);
      if (key === 'default/a' && calls.filter((k) => k === key).length === 1) await blocked;
      active.set(key, (active.get(key) ?? 1) - 1);
    }, 4);
    const a = await fake.create<Pod>(PODS, 'default', pod('a'));
    void controller.run(abort.signal);
    await settle();
    expect(calls).toEqual(['default/a']);

    for (const v of ['1', '2', '3']) await fake.update(PODS, { ...a, metadata: { ...a.metadata, resourceVersion: undefined, labels: { v } } });
    await fake.create(PODS, 'default', pod('b'));
    await settle();
    expect(calls).toEqual(['default/a', 'default/b']);
    release();
    await settle();
    expect(calls).toEqual(['default/a', 'default/b', 'default/a']);
    expect(maxPerKey).toBe(1);
  });

  it('maps events to other keys, enqueueing both the old and the new mapping on update', async () => {
    const seen: string[] = [];
    const clock = new FakeClock();
    const fake = new FakeApi(clock);
    const informer = new SharedInformer<Pod>({ api: fake, resource: PODS, clock });
    const controller = new Controller({ name: 'owners', reconciler: { reconcile: async (k) => void seen.push(k) }, clock }).watch(informer, (p) =>
      p.metadata.labels?.owner ? `default/${p.metadata.labels.owner}` : undefined,
    );
    abort = new AbortController();
    void informer.run(abort.signal);
    void controller.run(abort.signal);
    const p = await fake.create<Pod>(PODS, 'default', pod('p', 'rs-1'));
    await settle();
    await fake.create(PODS, 'default', pod('orphan'));
    await fake.update(PODS, { ...p, metadata: { ...p.metadata, labels: { owner: 'rs-2' } } });
    await settle();
    expect(seen).toEqual(['default/rs-1', 'default/rs-1', 'default/rs-2']);
  });

  it('stops on abort: in-flight reconciles see the aborted signal, and it can run again', async () => {
    let sawAbort = false;
    let hold = true;
    const seen: string[] = [];
    const { fake, controller } = await setup(async (key, signal) => {
      seen.push(key);
      if (!hold) return;
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      sawAbort = signal.aborted;
    });
    await fake.create(PODS, 'default', pod('a'));
    const informerAbort = abort;
    const runAbort = new AbortController();
    const running = controller.run(runAbort.signal);
    await settle();
    expect(controller.running).toBe(true);
    runAbort.abort();
    await running;
    expect(sawAbort).toBe(true);
    expect(controller.running).toBe(false);

    hold = false;
    const again = new AbortController();
    const rerun = controller.run(again.signal);
    await settle();
    expect(seen).toEqual(['default/a', 'default/a']);
    again.abort();
    await rerun;
    informerAbort.abort();
  });

  it('refuses to run twice at once', async () => {
    const { controller } = await setup(async () => undefined);
    void controller.run(abort.signal);
    await expect(controller.run(abort.signal)).rejects.toThrow(/already running/);
  });
});
