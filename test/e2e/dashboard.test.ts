/**
 * The dashboard in a real browser (Debian's chromium, headless, driven by playwright-core) on a
 * real 3-node cluster started by the compiled `kubemu up`, with the notes' ReplicationController
 * kubia (3 replicas). The page is opened where `kubectl cluster-info` says the Dashboard runs (the
 * service proxy). It shows the three nodes and, on each, exactly the pods kubectl places there;
 * clicking "Kill" on a node that runs a kubia pod (the api-server → the kubemu agent → SIGKILL)
 * turns that node NotReady on the page, and the RC's replacement pods appear Running on the other
 * nodes — all without a reload (a marker set in the page survives). "Start" brings the node back
 * Ready. Screenshots: test-artifacts/dashboard.png once the pods are back on the other nodes,
 * dashboard-final.png at the end (also when a step failed).
 *
 * Every wait polls the DOM with a deadline. Steps run in order on one cluster and one page.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type E2ECluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { kubectlOk } from '../support/kubectl-ok.js';
import { parseTable } from '../support/kubectl-output.js';
import { findChromium, openBrowser, type Browser } from '../support/chromium.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ARTIFACTS = join(ROOT, 'test-artifacts');
const chromium = findChromium();
if ('missing' in chromium) console.warn(`dashboard browser test skipped: ${chromium.missing}`);

/**
 * Read in the page (a string: the test program has no DOM types): node → its status and the pods
 * in its card (name → tone), and the event log's lines.
 */
const READ_PAGE = `JSON.stringify({
  nodes: Object.fromEntries([...document.querySelectorAll('article.node[data-node]')]
    .filter((card) => card.dataset.node)
    .map((card) => [card.dataset.node, {
      status: card.dataset.status,
      pods: Object.fromEntries([...card.querySelectorAll('li.pod[data-pod]')].map((p) => [p.dataset.pod, p.dataset.tone])),
    }])),
  log: [...document.querySelectorAll('#log li')].map((li) => li.textContent),
})`;

/** What the page shows. */
interface Shown {
  nodes: Record<string, { status: string; pods: Record<string, string> }>;
  log: string[];
}

describe.skipIf('missing' in chromium)('the dashboard in chromium: a node killed from the page, its pods back on the others, no reload', { timeout: 180_000 }, () => {
  let c: E2ECluster;
  let browser: Browser;
  let victim = '';
  let before: Shown;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    c = await startCluster({ nodes: 3 });
    browser = await openBrowser((chromium as { path: string }).path);
  }, 240_000);
  afterAll(async () => {
    await browser?.page.screenshot({ path: join(ARTIFACTS, 'dashboard-final.png'), fullPage: true }).catch(() => undefined);
    if (browser?.console.length) console.log(`dashboard page console:\n${browser.console.join('\n')}`);
    await browser?.close();
    await c?.down();
  });

  const shown = async (): Promise<Shown> => JSON.parse(String(await browser.page.evaluate(READ_PAGE))) as Shown;
  const marker = async (): Promise<unknown> => browser.page.evaluate('window.kubemuTestMarker');

  /** kubectl's view: node of each pod that is not being deleted. */
  const kubiaPods = async (): Promise<Record<string, string>> => {
    const t = parseTable(await kubectlOk(c, ['get', 'po', '-l', 'app=kubia', '-o', 'wide']));
    return Object.fromEntries(t.rows.filter((r) => r.STATUS === 'Running').map((r) => [r.NAME!, r.NODE!]));
  };

  it('opens where kubectl cluster-info says the Dashboard runs', async () => {
    const info = (await kubectlOk(c, ['cluster-info'])).replace(/\x1b\[[0-9;]*m/g, '');
    const url = /Dashboard is running at (\S+)/.exec(info)?.[1];
    expect(url).toBe(`${c.apiUrl}/api/v1/namespaces/kube-system/services/kubemu-dashboard:http/proxy`);
    const res = await browser.page.goto(url!);
    expect(res?.status()).toBe(200);
    expect(browser.page.url()).toBe(`${url}/`);
    await eventually(async () => expect(await browser.page.locator('#connection').getAttribute('data-state')).toBe('live'), { timeoutMs: 15_000 });
    await browser.page.evaluate("window.kubemuTestMarker = 'no reload'");
  });

  it('shows the three nodes Ready and, on each, the kubia pods kubectl places there, green', async () => {
    expect(await kubectlOk(c, ['create', '-f', 'test/fixtures/manifests/rc.yaml'])).toBe('replicationcontroller/kubia created\n');
    const placed = await eventually(async () => {
      const pods = await kubiaPods();
      expect(Object.keys(pods)).toHaveLength(3);
      return pods;
    }, { timeoutMs: 60_000, intervalMs: 500 });
    before = await eventually(async () => {
      const s = await shown();
      expect(Object.keys(s.nodes).sort()).toEqual(['node-1', 'node-2', 'node-3']);
      for (const n of Object.values(s.nodes)) expect(n.status).toBe('Ready');
      const onPage = Object.fromEntries(Object.entries(s.nodes).flatMap(([node, n]) => Object.entries(n.pods).filter(([, tone]) => tone === 'ok').map(([pod]) => [pod, node])));
      expect(onPage).toEqual(placed);
      return s;
    }, { timeoutMs: 30_000, intervalMs: 250 });
    victim = Object.values(placed).includes('node-2') ? 'node-2' : Object.values(placed)[0]!;
  });

  it('"Kill" turns the node NotReady on the page, and its pods come back Running on the other nodes', async () => {
    const killedPods = Object.keys(before.nodes[victim]!.pods);
    expect(killedPods.length).toBeGreaterThan(0);
    await browser.page.locator(`article.node[data-node="${victim}"] button[data-action="kill"]`).click();
    await eventually(async () => {
      const s = await shown();
      expect(s.log.some((l) => l.includes(`you: kill ${victim}`) && !/refused|could not/.test(l)), s.log.slice(0, 5).join('\n')).toBe(true);
    }, { timeoutMs: 30_000, intervalMs: 250 });
    const after = await eventually(async () => {
      const s = await shown();
      expect(s.nodes[victim]!.status).toBe('NotReady');
      const elsewhere = Object.entries(s.nodes).filter(([n]) => n !== victim).flatMap(([, n]) => Object.entries(n.pods).filter(([, tone]) => tone === 'ok').map(([pod]) => pod));
      expect(elsewhere).toHaveLength(3);
      for (const p of killedPods) expect(elsewhere).not.toContain(p);
      return s;
    }, { timeoutMs: 60_000, intervalMs: 250 });
    // The killed node's pods stay on its card until its kubelet confirms, shown Terminating (grey).
    for (const p of killedPods) expect([undefined, 'gone']).toContain(after.nodes[victim]!.pods[p]);
    expect(after.log.some((l) => l.includes(`Node ${victim}`) && l.includes('NotReady'))).toBe(true);
    expect(await marker()).toBe('no reload');
    const placed = await kubiaPods();
    expect(Object.values(placed)).not.toContain(victim);
    await browser.page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
  });

  it('"Start" brings the node back Ready on the page, still without a reload', async () => {
    await browser.page.locator(`article.node[data-node="${victim}"] button[data-action="start"]`).click();
    await eventually(async () => {
      const s = await shown();
      expect(s.nodes[victim]!.status).toBe('Ready');
      expect(Object.values(s.nodes[victim]!.pods)).not.toContain('gone');
      expect(s.log.some((l) => l.includes(`you: start ${victim}`) && !/refused|could not/.test(l)), s.log.slice(0, 5).join('\n')).toBe(true);
    }, { timeoutMs: 90_000, intervalMs: 500 });
    expect(await marker()).toBe('no reload');
  });
});
