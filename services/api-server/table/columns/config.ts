/**
 * Configuration and identity. ConfigMaps: NAME, DATA (keys in data + binaryData), AGE. Secrets:
 * NAME, TYPE, DATA (keys), AGE. ServiceAccounts: NAME, SECRETS (listed secrets), AGE.
 *
 * A Secret's DATA counts the keys of `data` and of any `stringData` not yet folded into it, so
 * the count is what a server that merges stringData on write would report.
 */
import type { ConfigMap, KubeObject, Secret } from '../../../../shared/api/core.js';
import { AGE_COLUMN, NAME_COLUMN, age, column, doc, printer } from './column.js';

const CORE = 'io.k8s.api.core.v1.';

function keys(m: Record<string, unknown> | null | undefined): string[] {
  return Object.keys(m ?? {});
}

export const configMapPrinter = printer<ConfigMap>({
  columns: [NAME_COLUMN, column('Data', doc(`${CORE}ConfigMap`, 'data')), AGE_COLUMN],
  row(cm, clock) {
    return [cm.metadata.name ?? '', keys(cm.data).length + keys(cm.binaryData).length, age(cm, clock)];
  },
});

export const secretPrinter = printer<Secret>({
  columns: [NAME_COLUMN, column('Type', doc(`${CORE}Secret`, 'type')), column('Data', doc(`${CORE}Secret`, 'data')), AGE_COLUMN],
  row(s, clock) {
    const data = new Set([...keys(s.data), ...keys(s.stringData)]);
    return [s.metadata.name ?? '', s.type ?? '', data.size, age(s, clock)];
  },
});

export const serviceAccountPrinter = printer<KubeObject & { secrets?: unknown[] }>({
  columns: [NAME_COLUMN, column('Secrets', doc(`${CORE}ServiceAccount`, 'secrets')), AGE_COLUMN],
  row(sa, clock) {
    return [sa.metadata.name ?? '', Array.isArray(sa.secrets) ? sa.secrets.length : 0, age(sa, clock)];
  },
});
