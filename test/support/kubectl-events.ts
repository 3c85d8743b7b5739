/**
 * The `Events:` table at the end of `kubectl describe` (pod, node) as records, for e2e assertions
 * on what the scheduler, the kubelet and the controllers reported. kubectl prints the columns
 * Type, Reason, Age, From, Message separated by at least two spaces (tabwriter); a message keeps
 * its own single spaces. `<none>` (no events) is an empty list.
 */
import { describeSection } from './kubectl-output.js';

export interface DescribedEvent {
  type: string;
  reason: string;
  /** `3s`, `5s (x3 over 12s)`. */
  age: string;
  from: string;
  message: string;
}

export function describedEvents(describeOutput: string): DescribedEvent[] {
  const lines = describeSection(describeOutput, 'Events').map((l) => l.trim());
  const header = lines[0]?.split(/\s{2,}/) ?? [];
  if (header.join(',') !== 'Type,Reason,Age,From,Message') return [];
  return lines
    .slice(2)
    .map((l) => l.split(/\s{2,}/))
    .map(([type = '', reason = '', age = '', from = '', ...message]) => ({ type, reason, age, from, message: message.join('  ') }));
}

/** A one-line-per-event rendering for failure messages. */
export function showEvents(events: DescribedEvent[]): string {
  return events.map((e) => `${e.type} ${e.reason} ${e.from}: ${e.message}`).join('\n');
}
