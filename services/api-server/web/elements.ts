/**
 * Building DOM elements without HTML strings: `el('li', { class: 'pod', 'data-pod': name }, [text])`.
 * Text goes in as text nodes and attributes as attributes, so nothing that arrives from the
 * cluster (names, messages) is ever parsed as markup. `keyedChildren` keeps one element per key
 * in a container, in the given order, creating, reusing and removing as needed — so a button under
 * the pointer survives a re-render and a click on it is not lost.
 */

export type Child = Node | string | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | undefined> = {}, children: Child[] = []): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) e.setAttribute(k, v);
  for (const c of children) if (c !== undefined && c !== false) e.append(c);
  return e;
}

/** Sets an attribute only when it changes (cheap re-renders, quiet MutationObservers). */
export function setAttr(e: Element, name: string, value: string): void {
  if (e.getAttribute(name) !== value) e.setAttribute(name, value);
}

export function setText(e: Element, text: string): void {
  if (e.textContent !== text) e.textContent = text;
}

/**
 * Makes `container`'s children exactly one element per key, in order: `create` for a new key,
 * `update` for every kept one (and each new one). Elements carry their key in `data-key`.
 */
export function keyedChildren<T>(container: Element, items: T[], key: (item: T) => string, create: (item: T) => HTMLElement, update: (e: HTMLElement, item: T) => void): void {
  const existing = new Map<string, HTMLElement>();
  for (const child of Array.from(container.children)) {
    const k = (child as HTMLElement).dataset.key;
    if (k !== undefined) existing.set(k, child as HTMLElement);
  }
  let cursor: Element | null = container.firstElementChild;
  const wanted = new Set<string>();
  for (const item of items) {
    const k = key(item);
    wanted.add(k);
    let e = existing.get(k);
    if (!e) {
      e = create(item);
      e.dataset.key = k;
    }
    update(e, item);
    if (e !== cursor) container.insertBefore(e, cursor);
    else cursor = cursor.nextElementSibling;
  }
  for (const [k, e] of existing) if (!wanted.has(k)) e.remove();
}

/** HH:MM:SS in the viewer's time zone, from an RFC 3339 time. */
export function clockTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}
