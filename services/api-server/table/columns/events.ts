/**
 * Events: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE; wide adds SUBOBJECT and SOURCE (after
 * OBJECT), then FIRST SEEN, COUNT and NAME — the real printer's column order, which puts the wide
 * columns in the middle.
 *
 * Times follow the printer's fallbacks: FIRST SEEN is `firstTimestamp`, else `eventTime` (events
 * written through events.k8s.io carry only that); LAST SEEN is `lastTimestamp`, else FIRST SEEN;
 * an event series overrides LAST SEEN with `series.lastObservedTime` and COUNT with
 * `series.count`; a singleton without a count counts 1. OBJECT is `<kind in lower case>/<name>`;
 * SOURCE is `component, host`, falling back to `reportingComponent` / `reportingInstance`.
 */
import type { Event } from '../../../../shared/api/core.js';
import type { Clock } from '../../../../shared/runtime/clock.js';
import { since } from '../duration.js';
import { NAME_COLUMN, column, doc, printer } from './column.js';

const CORE = 'io.k8s.api.core.v1.';

export function eventSource(e: Event): string {
  const component = e.source?.component || e.reportingComponent || '';
  const instance = e.source?.host || e.reportingInstance || '';
  return instance ? `${component}, ${instance}` : component;
}

export function eventTimes(e: Event, clock: Clock): { first: string; last: string; count: number } {
  const first = e.firstTimestamp ? since(e.firstTimestamp, clock) : since(e.eventTime, clock);
  let last = e.lastTimestamp ? since(e.lastTimestamp, clock) : first;
  let count = e.count ?? 0;
  if (e.series) {
    last = since(e.series.lastObservedTime, clock);
    count = e.series.count ?? 0;
  } else if (count === 0) {
    count = 1;
  }
  return { first, last, count };
}

export const eventPrinter = printer<Event>({
  columns: [
    column('Last Seen', doc(`${CORE}Event`, 'lastTimestamp')),
    column('Type', doc(`${CORE}Event`, 'type')),
    column('Reason', doc(`${CORE}Event`, 'reason')),
    column('Object', doc(`${CORE}Event`, 'involvedObject')),
    column('Subobject', doc(`${CORE}ObjectReference`, 'fieldPath'), { priority: 1 }),
    column('Source', doc(`${CORE}Event`, 'source'), { priority: 1 }),
    column('Message', doc(`${CORE}Event`, 'message')),
    column('First Seen', doc(`${CORE}Event`, 'firstTimestamp'), { priority: 1 }),
    column('Count', doc(`${CORE}Event`, 'count'), { priority: 1 }),
    { ...NAME_COLUMN, priority: 1 },
  ],
  row(e, clock) {
    const { first, last, count } = eventTimes(e, clock);
    const obj = e.involvedObject ?? {};
    const kind = (obj.kind ?? '').toLowerCase();
    const target = obj.name ? `${kind}/${obj.name}` : kind;
    return [last, e.type ?? '', e.reason ?? '', target, obj.fieldPath ?? '', eventSource(e), (e.message ?? '').trim(), first, count, e.metadata.name ?? ''];
  },
});
