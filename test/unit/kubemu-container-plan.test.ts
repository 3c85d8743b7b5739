import { describe, expect, it } from 'vitest';
import { containerProcesses, UnknownTarget, withNatsUrl } from '../../services/kubemu/container-plan.js';
import { subjects } from '../../shared/nats/subjects.js';

const opts = { root: '/app', nodeBin: '/usr/local/bin/node', nodesDir: '/tmp/kubemu-nodes' };

describe('container plan (the launcher table, one container at a time)', () => {
  it("gives a node name its kubelet and kube-proxy with the launcher's flags and the node's address", () => {
    const [kubelet, proxy, ...rest] = containerProcesses(['node-2'], opts);
    expect(rest).toEqual([]);
    expect(kubelet.name).toBe('kubelet-node-2');
    expect(kubelet.file).toBe('/usr/local/bin/node');
    expect(kubelet.args).toEqual([
      '/app/dist/services/kubelet/main.js',
      '--nats',
      'nats://127.0.0.1:4222',
      '--profile',
      'default',
      '--network-slot',
      '0',
      '--node-name',
      'node-2',
      '--node-ip',
      '127.1.0.2',
      '--runtime',
      'process',
      '--data-dir',
      '/tmp/kubemu-nodes/node-2',
    ]);
    expect(proxy.name).toBe('kube-proxy-node-2');
    expect(proxy.args).toContain('/app/dist/services/kube-proxy/main.js');
    expect(proxy.args.slice(proxy.args.indexOf('--node-ip'), proxy.args.indexOf('--node-ip') + 2)).toEqual(['--node-ip', '127.1.0.2']);
    expect(kubelet.health).toEqual({ kind: 'nats', subject: subjects.control('kubelet-node-2', 'health') });
  });

  it('passes the profile and network slot on, and addresses the node in that slot', () => {
    const [kubelet] = containerProcesses(['kubelet-node-3'], { ...opts, profile: 'kubernetes', networkSlot: 1 });
    expect(kubelet.name).toBe('kubelet-node-3');
    expect(kubelet.args.join(' ')).toContain('--profile kubernetes --network-slot 1 --node-name node-3 --node-ip 127.2.0.3');
  });

  it('gives control-plane processes their own checks: store RPC, api-server /readyz on 6443, control subjects', () => {
    const byName = new Map(containerProcesses(['store', 'api-server', 'scheduler-2', 'controller-manager'], opts).map((l) => [l.name, l.health]));
    expect(byName.get('store')).toEqual({ kind: 'nats', subject: subjects.store.rpc('status') });
    expect(byName.get('api-server')).toEqual({ kind: 'http', url: 'http://127.0.0.1:6443/readyz' });
    expect(byName.get('scheduler-2')).toEqual({ kind: 'nats', subject: subjects.control('scheduler-2', 'health') });
    expect(byName.get('controller-manager')).toEqual({ kind: 'nats', subject: subjects.control('controller-manager', 'health') });
  });

  it('refuses a target that is neither a process nor a node name', () => {
    expect(() => containerProcesses(['Node_2!'], opts)).toThrow(UnknownTarget);
  });

  it('points a planned command line at another NATS server, leaving everything else', () => {
    const [kubelet] = containerProcesses(['kubelet-node-1'], opts);
    const moved = withNatsUrl(kubelet, 'nats://10.0.0.5:4222');
    expect(moved.args[moved.args.indexOf('--nats') + 1]).toBe('nats://10.0.0.5:4222');
    expect(moved.args.filter((a) => a !== 'nats://10.0.0.5:4222')).toEqual(kubelet.args.filter((a) => a !== 'nats://127.0.0.1:4222'));
    expect(kubelet.args).toContain('nats://127.0.0.1:4222');
  });
});
