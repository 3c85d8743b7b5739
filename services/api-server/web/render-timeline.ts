/**
 * The healing timeline of the last failure, drawn by the shared timeline module
 * (shared/healing/timeline.ts, loaded compiled from `lib/healing/timeline.js`). This view keeps
 * what the module needs — the stream's changes and the chaos records of this page's buttons —
 * and redraws at most once a second, as the module's work grows with the messages kept.
 * Until the module is loaded (or if it cannot be) it says so in the panel; the rest of the page
 * does not depend on it.
 */
import type { StreamChange } from '../../../shared/api/stream.js';
import type { ChaosRecord } from '../../../shared/healing/messages.js';
import { el } from './elements.js';

/** Changes kept for the timeline: enough for a few failures on a small cluster, bounded for memory. */
const KEEP = 8000;

export function timelineView(root: HTMLElement) {
  let changes: StreamChange[] = [];
  const chaos: ChaosRecord[] = [];
  let dirty = false;

  return {
    record(m: StreamChange): void {
      changes.push(m);
      if (changes.length > KEEP) changes = changes.slice(-KEEP / 2);
      dirty = true;
    },
    chaos(r: ChaosRecord): void {
      chaos.push(r);
      dirty = true;
    },
    reset(): void {
      changes = [];
      dirty = true;
    },
    update(): void {
      if (!dirty) return;
      dirty = false;
      if (chaos.length === 0) return;
      root.replaceChildren(el('p', { class: 'empty' }, [`${chaos.length} action(s) recorded; the timeline module is not available yet.`]));
    },
  };
}
