/**
 * Plugs logs, exec and port-forward into the api-server: the `pods/log` subresource, the
 * exec / port-forward connection upgrades on the HTTP server, and the 400 those two paths answer
 * without an upgrade. Everything reaches the kubelet of the pod's node over NATS byte streams.
 * `stop()` cuts every upgraded connection (the HTTP server does not track them).
 */
import type { Api } from '../api.js';
import type { HttpServer } from '../http.js';
import type { StreamingDeps } from './kubelet-dial.js';
import { logSubresource } from './logs.js';
import { streamingUpgrades, upgradeRequired } from './upgrade.js';

export type { StreamingDeps } from './kubelet-dial.js';

export interface Streaming {
  stop(): void;
}

export function registerStreaming(api: Api, http: HttpServer, deps: StreamingDeps): Streaming {
  api.registerSubresource('pods/log', logSubresource(deps));
  api.registerSubresource('pods/exec', upgradeRequired);
  api.registerSubresource('pods/portforward', upgradeRequired);
  const upgrades = streamingUpgrades(deps);
  http.addUpgradeHandler(upgrades.handler);
  return { stop: () => upgrades.stop() };
}
