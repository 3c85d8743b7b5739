/**
 * What a fresh cluster has before anyone asks: the namespaces `default`, `kube-system`,
 * `kube-public` and `kube-node-lease`. Created through the registry (so they are defaulted and
 * validated like any other), and only when absent: restarting the api-server changes nothing.
 */
import { isStatusError } from '../../shared/api/errors.js';
import { resourceByPlural } from '../../shared/api/resources.js';
import type { Logger } from '../../shared/runtime/logger.js';
import type { Registry } from './registry/registry.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function bootstrap(registry: Registry, log: Logger): Promise<void> {
  const namespaces = resourceByPlural('namespaces');
  for (const name of SYSTEM_NAMESPACES) {
    try {
      await registry.get(namespaces, undefined, name);
    } catch (err) {
      if (!isStatusError(err, 'NotFound')) throw err;
      try {
        await registry.create(namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
        log.info({ namespace: name }, 'created system namespace');
      } catch (e) {
        if (!isStatusError(e, 'AlreadyExists')) throw e;
      }
    }
  }
}
