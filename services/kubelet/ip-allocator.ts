/**
 * Pod IPs of one node, from its `spec.podCIDR` (a /24 of the network plan’s pod range, see
 * shared/api/network.ts; `.1` is the gateway by convention, pods get `.2` – `.254`).
 *
 * Invariants: an address is held by at most one pod uid; a uid asking again gets the same address;
 * `reserve` pins an address a pod already had (after a kubelet restart, pods running per the API
 * keep their IPs); a released address is handed out again only after every other free one has had
 * its turn (round robin), so a Service or a client that still holds a dead pod's IP does not reach
 * a new pod by accident.
 */
import { podAddresses } from '../../shared/api/network.js';

export class IpExhausted extends Error {
  override name = 'IpExhausted';
}

export class IpAllocator {
  private readonly pool: string[];
  private readonly byUid = new Map<string, string>();
  private readonly byIp = new Map<string, string>();
  private cursor = 0;

  constructor(readonly cidr: string) {
    this.pool = podAddresses(cidr);
  }

  /** The address held by `uid`, or a new one. Throws IpExhausted when the CIDR is full. */
  allocate(uid: string): string {
    const held = this.byUid.get(uid);
    if (held) return held;
    for (let i = 0; i < this.pool.length; i++) {
      const ip = this.pool[(this.cursor + i) % this.pool.length];
      if (this.byIp.has(ip)) continue;
      this.cursor = (this.cursor + i + 1) % this.pool.length;
      this.hold(uid, ip);
      return ip;
    }
    throw new IpExhausted(`no free pod IP left in ${this.cidr} (${this.pool.length} addresses in use)`);
  }

  /** Pins `ip` to `uid` if the address belongs to this CIDR and is free; returns whether it did. */
  reserve(uid: string, ip: string): boolean {
    if (this.byUid.get(uid) === ip) return true;
    if (this.byUid.has(uid) || this.byIp.has(ip) || !this.pool.includes(ip)) return false;
    this.hold(uid, ip);
    return true;
  }

  release(uid: string): void {
    const ip = this.byUid.get(uid);
    if (!ip) return;
    this.byUid.delete(uid);
    this.byIp.delete(ip);
  }

  ipOf(uid: string): string | undefined {
    return this.byUid.get(uid);
  }

  get inUse(): number {
    return this.byUid.size;
  }

  private hold(uid: string, ip: string): void {
    this.byUid.set(uid, ip);
    this.byIp.set(ip, uid);
  }
}
