/**
 * The node cards: one `<article data-node="node-2">` per node with its status badge (Ready /
 * NotReady / partitioned, coloured by tone), address, why it is not Ready, its buttons (Kill,
 * Partition, Start — which heals instead when this page partitioned the node) and its pods as a
 * list, each `<li data-pod="…">` with name, status, ready, restarts and IP, coloured by tone. Pods
 * with no node, or on a node that is gone, get a last card "Not scheduled" (hidden when empty).
 *
 * Updated in place by key (elements.ts), so buttons and pods keep their elements across renders;
 * `data-status` and `data-tone` attributes carry the state for styles and for tests.
 */
import type { Pod } from '../../../shared/api/core.js';
import type { NodeAction } from './actions.js';
import { el, keyedChildren, setAttr, setText } from './elements.js';
import { nodeLook, podLook } from './looks.js';
import { UNSCHEDULED, type ClusterModel } from './model.js';

export interface NodesViewDeps {
  onAction(op: NodeAction, node: string): void;
}

interface Lane {
  node: string;
  pods: Pod[];
}

const BUTTONS: { op: 'kill' | 'partition' | 'start'; label: string; title: string }[] = [
  { op: 'kill', label: 'Kill', title: "SIGKILL the node's kubelet and kube-proxy (its containers die with them)" },
  { op: 'partition', label: 'Partition', title: 'cut the node from the bus: it keeps running but goes silent' },
  { op: 'start', label: 'Start', title: 'start the node again (or heal its partition)' },
];

function podName(p: Pod): string {
  const ns = p.metadata.namespace;
  return ns && ns !== 'default' ? `${ns}/${p.metadata.name}` : p.metadata.name ?? '';
}

function createPod(p: Pod): HTMLElement {
  return el('li', { class: 'pod' }, [
    el('span', { class: 'pod-name' }, [podName(p)]),
    el('span', { class: 'pod-status' }),
    el('span', { class: 'pod-ready', title: 'ready containers' }),
    el('span', { class: 'pod-restarts', title: 'restarts' }),
    el('span', { class: 'pod-ip', title: 'pod IP' }),
  ]);
}

function updatePod(e: HTMLElement, p: Pod): void {
  const look = podLook(p);
  setAttr(e, 'data-pod', p.metadata.name ?? '');
  setAttr(e, 'data-status', look.status);
  setAttr(e, 'data-tone', look.tone);
  const [, status, ready, restarts, ip] = Array.from(e.children);
  setText(status!, look.status);
  setText(ready!, look.ready);
  setText(restarts!, `↻${look.restarts}`);
  setText(ip!, look.ip || '—');
}

export function nodesView(root: HTMLElement, deps: NodesViewDeps) {
  function createCard(lane: Lane): HTMLElement {
    const unscheduled = lane.node === UNSCHEDULED;
    const titleId = `node-title-${lane.node || 'unscheduled'}`;
    const actions = el('div', { class: 'actions', role: 'group', 'aria-label': `Actions on ${lane.node}` });
    if (!unscheduled) {
      for (const b of BUTTONS) {
        const button = el('button', { type: 'button', 'data-action': b.op, title: b.title }, [b.label]);
        button.addEventListener('click', () => {
          const op = button.dataset.op as NodeAction | undefined;
          deps.onAction(op ?? b.op, lane.node);
        });
        actions.append(button);
      }
    }
    return el('article', { class: unscheduled ? 'node unscheduled' : 'node', 'data-node': lane.node, 'aria-labelledby': titleId }, [
      el('header', {}, [
        el('h3', { id: titleId }, [unscheduled ? 'Not scheduled' : lane.node]),
        el('span', { class: 'badge' }),
        el('span', { class: 'address' }),
      ]),
      el('p', { class: 'detail' }),
      !unscheduled && actions,
      el('ul', { class: 'pods', 'aria-label': unscheduled ? 'Pods not scheduled' : `Pods on ${lane.node}` }),
    ]);
  }

  return {
    update(model: ClusterModel, busy: ReadonlyMap<string, string>): void {
      const byNode = model.podsByNode();
      const lanes: Lane[] = model.nodeNames().map((node) => ({ node, pods: byNode.get(node) ?? [] }));
      const waiting = byNode.get(UNSCHEDULED) ?? [];
      if (waiting.length > 0) lanes.push({ node: UNSCHEDULED, pods: waiting });
      keyedChildren(root, lanes, (l) => l.node || '~unscheduled', createCard, (card, lane) => {
        const badge = card.querySelector('.badge')!;
        const address = card.querySelector('.address')!;
        const detail = card.querySelector('.detail')!;
        if (lane.node === UNSCHEDULED) {
          setAttr(card, 'data-status', 'Pending');
          setAttr(card, 'data-tone', 'progress');
          setText(badge, `${lane.pods.length} waiting`);
          setText(detail, 'no node chosen yet, or their node is gone');
        } else {
          const partitioned = model.partitioned.has(lane.node);
          const look = nodeLook(model.nodes.get(lane.node)!, partitioned);
          const doing = busy.get(lane.node);
          setAttr(card, 'data-status', look.status.split(',')[0]!);
          setAttr(card, 'data-tone', look.tone);
          setAttr(card, 'aria-busy', doing ? 'true' : 'false');
          setText(badge, doing ? `${look.status} · ${doing}…` : look.status);
          setText(address, look.address);
          setText(detail, look.detail);
          for (const button of Array.from(card.querySelectorAll<HTMLButtonElement>('button[data-action]'))) {
            button.disabled = doing !== undefined;
            if (button.dataset.action === 'start') {
              button.dataset.op = partitioned ? 'heal' : 'start';
              setText(button, partitioned ? 'Heal' : 'Start');
            }
          }
        }
        keyedChildren(card.querySelector('ul.pods')!, lane.pods, (p) => p.metadata.uid ?? `${p.metadata.namespace}/${p.metadata.name}`, createPod, updatePod);
      });
    },
  };
}
