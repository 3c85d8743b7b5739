/**
 * One readable terminal line per change of the event stream, for `kubemu events`:
 *
 *   14:02:07.412 + Pod        default/kubia-x2v9q  Pending  ready 0/1
 *   14:02:07.431 ~ Pod        default/kubia-x2v9q  scheduled to node-2
 *   14:02:07.433 + Event      default/kubia-x2v9q  Normal Scheduled  Successfully assigned …
 *   14:02:08.120 ~ Pod        default/kubia-x2v9q  Pending → Running  ready 0/1 → 1/1  ip 127.128.2.4
 *   14:03:11.006 ~ Node       node-2  Ready → NotReady  because NodeStatusUnknown
 *
 * Time (local, milliseconds), `+` added / `~` modified / `-` deleted, kind, namespace/name (for an
 * Event: the object it is about), then what changed: the first time an object is seen, its whole
 * summary (./event-summary.ts); after that only the facets that changed. A change that leaves
 * the summary as it was (a Node's periodic status write, a Lease renewal, an annotation) prints
 * nothing unless `verbose` — heartbeats show up as Ready / NotReady, not as a flood (a kind with
 * no summary at all, such as ConfigMap, prints a bare line for every change). Deleted Events
 * (their TTL ran out) are also verbose-only.
 *
 * Colour (ANSI) only when asked: the command decides (a TTY without NO_COLOR). Bookmarks, errors
 * and SLOW are the command's business, not lines here. Memory: one summary per live object, forgotten
 * when it is deleted.
 */
import type { StreamChange, StreamMessage } from '../../shared/api/stream.js';
import { isStreamChange } from '../../shared/api/stream.js';
import { summaryFacets, type Facet, type Tone } from './event-summary.js';

export interface FormatOptions {
  colour: boolean;
  verbose?: boolean;
}

const ANSI = { reset: '\x1b[0m', dim: '\x1b[2m', bold: '\x1b[1m', red: '\x1b[31m', green: '\x1b[32m', yellow: '\x1b[33m', cyan: '\x1b[36m' };
const TONE: Record<Tone, string> = { good: ANSI.green, warn: ANSI.yellow, bad: ANSI.red };
const OP = { ADDED: ['+', ANSI.green], MODIFIED: ['~', ANSI.yellow], DELETED: ['-', ANSI.red] } as const;

function clockTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '??:??:??.???';
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export class EventFormatter {
  private readonly seen = new Map<string, Facet[]>();

  constructor(private readonly opts: FormatOptions) {}

  /** The line for a message, or undefined when it has nothing to show. */
  format(m: StreamMessage): string | undefined {
    if (!isStreamChange(m)) return undefined;
    const details = m.kind === 'Event' ? this.eventDetails(m) : this.changeDetails(m);
    if (details === undefined) return undefined;
    const [sign, colour] = OP[m.type];
    const name = m.kind === 'Event' ? this.eventSubject(m) : m.namespace ? `${m.namespace}/${m.name}` : m.name;
    return [this.paint(clockTime(m.time), ANSI.dim), this.paint(sign, colour), this.paint(m.kind.padEnd(10), ANSI.cyan), this.paint(name, ANSI.bold), ...(details ? [' ' + details] : [])].join(' ');
  }

  private paint(text: string, code: string | undefined): string {
    return this.opts.colour && code ? `${code}${text}${ANSI.reset}` : text;
  }

  private tone(text: string, tone: Tone | undefined): string {
    return this.paint(text, tone ? TONE[tone] : undefined);
  }

  private changeDetails(m: StreamChange): string | undefined {
    const key = m.uid || `${m.kind}/${m.namespace ?? ''}/${m.name}`;
    const now = summaryFacets(m.kind, m.object);
    const before = this.seen.get(key);
    if (m.type === 'DELETED') {
      this.seen.delete(key);
      const was = now.map((f) => f.text).join(', ');
      return this.paint('deleted', ANSI.red) + (was ? ` (was ${was})` : '');
    }
    this.seen.set(key, now);
    if (m.type === 'ADDED' || !before) return now.map((f) => this.tone(f.text, f.tone)).join('  ');
    const changed = this.diff(before, now);
    if (changed.length) return changed.join('  ');
    if (now.length === 0) return ''; // a kind without a summary (ConfigMap): the change itself is the news
    return this.opts.verbose ? this.paint('(no change in the summary)', ANSI.dim) : undefined;
  }

  private diff(before: Facet[], now: Facet[]): string[] {
    const out: string[] = [];
    const label = (f: Facet): string => (f.label ? `${f.label} ` : '');
    for (const f of now) {
      const old = before.find((b) => b.key === f.key);
      if (f.items) {
        const had = old?.items ?? [];
        const came = f.items.filter((i) => !had.includes(i)).map((i) => `+${i}`);
        const went = had.filter((i) => !f.items!.includes(i)).map((i) => `-${i}`);
        if (came.length || went.length) out.push(label(f) + this.tone([...came, ...went].join(' '), f.tone));
      } else if (!old) out.push(this.tone(f.appears ?? f.text, f.tone));
      else if (old.value !== f.value) out.push(`${label(f)}${this.tone(old.value, old.tone)} → ${this.tone(f.value, f.tone)}`);
    }
    for (const old of before) {
      if (old.items && !now.some((f) => f.key === old.key)) out.push(label(old) + old.items.map((i) => `-${i}`).join(' '));
    }
    return out;
  }

  private eventSubject(m: StreamChange): string {
    const about = (m.object as { involvedObject?: { name?: string; namespace?: string } } | undefined)?.involvedObject;
    if (!about?.name) return m.namespace ? `${m.namespace}/${m.name}` : m.name;
    return about.namespace ? `${about.namespace}/${about.name}` : about.name;
  }

  private eventDetails(m: StreamChange): string | undefined {
    if (m.type === 'DELETED') return this.opts.verbose ? this.paint('expired', ANSI.dim) : undefined;
    const e = (m.object ?? {}) as { type?: string; reason?: string; message?: string; count?: number; series?: { count?: number } };
    const count = e.series?.count ?? e.count ?? 1;
    const head = this.tone(`${e.type ?? 'Normal'} ${e.reason ?? ''}`.trim(), e.type === 'Warning' ? 'bad' : undefined);
    return `${head}  ${e.message ?? ''}${count > 1 ? this.paint(` (×${count})`, ANSI.dim) : ''}`.trimEnd();
  }
}
