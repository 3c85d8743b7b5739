/**
 * ConfigMaps, Secrets and ServiceAccounts. Secrets default to type Opaque, and `stringData` is
 * folded into base64 `data` on every write (it is write-only, as in Kubernetes); data keys must be
 * valid config keys and secret values valid base64.
 */
import type { ConfigMap, Secret } from '../../../../shared/api/core.js';
import type { FieldErrors } from '../../validation.js';
import type { Strategy } from '../strategy.js';

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function validateKeys(data: Record<string, unknown> | undefined, path: string, errs: FieldErrors): void {
  for (const k of Object.keys(data ?? {})) {
    if (!CONFIG_KEY.test(k) || k.length > 253) {
      errs.invalid(path, k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.'");
    }
  }
}

export const configMapStrategy: Strategy = {
  validate(obj, errs) {
    const cm = obj as ConfigMap;
    validateKeys(cm.data, 'data', errs);
    validateKeys(cm.binaryData, 'binaryData', errs);
    for (const k of Object.keys(cm.data ?? {})) if (cm.binaryData && k in cm.binaryData) errs.duplicate(`data[${k}]`, k);
  },
  validateUpdate(obj, old, errs) {
    if ((old as ConfigMap).immutable && JSON.stringify([(obj as ConfigMap).data, (obj as ConfigMap).binaryData]) !== JSON.stringify([(old as ConfigMap).data, (old as ConfigMap).binaryData])) {
      errs.forbidden('data', 'field is immutable when `immutable` is set');
    }
  },
};

export const secretStrategy: Strategy = {
  default(obj) {
    const s = obj as Secret;
    s.type ??= 'Opaque';
    if (s.stringData && typeof s.stringData === 'object') {
      s.data = { ...(s.data ?? {}) };
      for (const [k, v] of Object.entries(s.stringData)) s.data[k] = Buffer.from(String(v), 'utf8').toString('base64');
      delete s.stringData;
    }
  },
  validate(obj, errs) {
    const s = obj as Secret;
    validateKeys(s.data, 'data', errs);
    for (const [k, v] of Object.entries(s.data ?? {})) {
      if (typeof v !== 'string' || !BASE64.test(v)) errs.invalid(`data[${k}]`, '<secret contents redacted>', 'must be base64 encoded');
    }
  },
  validateUpdate(obj, old, errs) {
    if ((old as Secret).immutable && JSON.stringify((obj as Secret).data) !== JSON.stringify((old as Secret).data)) {
      errs.forbidden('data', 'field is immutable when `immutable` is set');
    }
    if ((old as Secret).type !== (obj as Secret).type) errs.invalid('type', (obj as Secret).type, 'field is immutable');
  },
};

export const serviceAccountStrategy: Strategy = {};
