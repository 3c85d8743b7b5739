/**
 * Events and Leases. Events must name the object they are about (`involvedObject`), in the event's
 * own namespace when that object is namespaced; counts and timestamps default the way the event
 * recorder writes them; they expire (a store lease) an hour after their last write by default. Leases have no rules beyond the shared metadata ones.
 */
import type { Event } from '../../../../shared/api/core.js';
import type { Strategy } from '../strategy.js';
import { isoTime } from '../../../../shared/runtime/clock.js';

export const eventStrategy: Strategy = {
  expires: true,
  default(obj, ctx) {
    const e = obj as Event;
    e.count ??= 1;
    e.type ??= 'Normal';
    if (!e.eventTime) {
      e.firstTimestamp ??= isoTime(ctx.clock);
      e.lastTimestamp ??= e.firstTimestamp;
    }
    e.source ??= {};
  },
  validate(obj, errs) {
    const e = obj as Event;
    if (!e.involvedObject || typeof e.involvedObject !== 'object') return errs.required('involvedObject');
    const ns = e.involvedObject.namespace;
    if (ns && ns !== e.metadata.namespace) errs.invalid('involvedObject.namespace', ns, 'does not match event.namespace');
    if (e.type && !['Normal', 'Warning'].includes(e.type)) errs.notSupported('type', e.type, ['Normal', 'Warning']);
  },
};

export const leaseStrategy: Strategy = {};
