/**
 * The scrolling event log (newest on top: `<li data-tone>` with the time, what it is about and
 * what happened) and the controllers strip (each ReplicationController, standalone ReplicaSet and
 * Deployment with ready/desired replicas, green when it has them all). Both are rebuilt from the
 * page's state when it changed; the log is an `aria-live` region so screen readers hear new lines.
 */
import type { KubeObject } from '../../../shared/api/meta.js';
import { clockTime, el, keyedChildren, setAttr, setText } from './elements.js';
import type { LogEntry } from './log-entries.js';
import { controllerLook, type ControllerLook } from './looks.js';

export function renderLog(list: HTMLElement, entries: LogEntry[]): void {
  const items = entries.map((entry) =>
    el('li', { 'data-tone': entry.tone }, [
      el('time', { datetime: entry.time }, [clockTime(entry.time)]),
      el('span', { class: 'subject' }, [entry.subject]),
      el('span', { class: 'text' }, [entry.text]),
    ]),
  );
  list.replaceChildren(...items);
}

/** ReplicaSets a Deployment owns are its business: the Deployment stands for them. */
function shown(obj: KubeObject): boolean {
  return !(obj.kind === 'ReplicaSet' && (obj.metadata.ownerReferences ?? []).some((o) => o.kind === 'Deployment'));
}

export function renderControllers(list: HTMLElement, controllers: Iterable<KubeObject>): void {
  const looks = [...controllers].filter(shown).map(controllerLook);
  looks.sort((a, b) => `${a.namespace}/${a.kind}/${a.name}`.localeCompare(`${b.namespace}/${b.kind}/${b.name}`));
  keyedChildren(
    list,
    looks,
    (c) => `${c.kind}/${c.namespace}/${c.name}`,
    (c: ControllerLook) => el('li', { 'data-controller': `${c.kind}/${c.name}` }, [el('span', { class: 'kind' }, [c.kind]), el('span', { class: 'name' }, [c.namespace === 'default' ? c.name : `${c.namespace}/${c.name}`]), el('span', { class: 'count' })]),
    (e, c) => {
      setAttr(e, 'data-tone', c.tone);
      setText(e.querySelector('.count')!, c.text);
    },
  );
}
