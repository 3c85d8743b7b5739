/**
 * A launcher state file for tests that drive the kubemu CLI's commands against processes they
 * spawned themselves: fixed, unreachable NATS and API addresses (override what a test needs), the
 * default profile, nodes node-1 and node-2, the kubeconfig inside `dataDir`.
 */
import { join } from 'node:path';
import { STATE_VERSION, type ClusterState, type ProcessRecord } from '../../services/kubemu/state.js';

export function testClusterState(dataDir: string, processes: ProcessRecord[], overrides: Partial<ClusterState> = {}): ClusterState {
  return {
    version: STATE_VERSION,
    dataDir,
    startedAt: '2026-01-01T00:00:00Z',
    natsUrl: 'nats://127.0.0.1:1',
    apiUrl: 'http://127.0.0.1:1',
    ports: { nats: 1, natsMonitor: 2, api: 3 },
    nodes: ['node-1', 'node-2'],
    profile: 'default',
    kubeconfig: join(dataDir, 'kubeconfig'),
    processes,
    ...overrides,
  };
}
