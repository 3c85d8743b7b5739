import { createHash } from 'node:crypto';
import { createDeflate, constants as zconst, deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SPDY_DICTIONARY } from '../../services/api-server/streaming/spdy/dictionary.js';
import { decodeHeaderBlock, encodeHeaderBlock, HeaderCompressor, HeaderDecompressor } from '../../services/api-server/streaming/spdy/headers.js';

/** Compresses blocks the way Go's SPDY framer does: one zlib stream, best compression, a sync flush per block. */
function goLikeCompressor(): (block: Buffer) => Promise<Buffer> {
  const deflate = createDeflate({ dictionary: SPDY_DICTIONARY, level: 9 });
  let out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  return (block) =>
    new Promise((resolve) => {
      deflate.write(block);
      deflate.flush(zconst.Z_SYNC_FLUSH, () => {
        resolve(Buffer.concat(out));
        out = [];
      });
    });
}

describe('SPDY header blocks', () => {
  it('uses the 1423-byte SPDY/3 dictionary of the specification', () => {
    expect(SPDY_DICTIONARY.length).toBe(1423);
    expect(createHash('sha256').update(SPDY_DICTIONARY).digest('hex')).toBe('51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02');
  });

  it('encodes count, then length-prefixed lower-case names and values', () => {
    const block = encodeHeaderBlock({ StreamType: 'error', port: '8080' });
    expect(block.readUInt32BE(0)).toBe(2);
    expect(decodeHeaderBlock(block)).toEqual({ headers: { streamtype: 'error', port: '8080' }, consumed: block.length });
    expect(decodeHeaderBlock(encodeHeaderBlock({}))).toEqual({ headers: {}, consumed: 4 });
  });

  it('says a block is incomplete instead of guessing', () => {
    const block = encodeHeaderBlock({ requestid: '0' });
    for (let n = 0; n < block.length; n++) expect(decodeHeaderBlock(block.subarray(0, n))).toBeUndefined();
  });

  it('writes a zlib stream any inflater with the dictionary reads, block after block', () => {
    const c = new HeaderCompressor();
    const one = c.compress({ streamtype: 'error' });
    const two = c.compress({});
    const three = c.compress({ streamtype: 'data', port: '8080', requestid: '12' });
    const all = inflateSync(Buffer.concat([one, two, three]), { dictionary: SPDY_DICTIONARY, finishFlush: zconst.Z_SYNC_FLUSH });
    let rest = all;
    const got = [];
    for (let i = 0; i < 3; i++) {
      const b = decodeHeaderBlock(rest)!;
      got.push(b.headers);
      rest = rest.subarray(b.consumed);
    }
    expect(got).toEqual([{ streamtype: 'error' }, {}, { streamtype: 'data', port: '8080', requestid: '12' }]);
    expect(rest.length).toBe(0);
  });

  it('ends every block with the empty stored block of a zlib sync flush (Go only hands out data there)', () => {
    const c = new HeaderCompressor();
    const first = c.compress({ streamtype: 'error' });
    expect([...first.subarray(0, 2)]).toEqual([0x78, 0x20]);
    // The dictionary id is the one zlib itself writes for the SPDY dictionary.
    expect(first.readUInt32BE(2)).toBe(deflateSync(Buffer.from('x'), { dictionary: SPDY_DICTIONARY }).readUInt32BE(2));
    for (const block of [first, c.compress({})]) expect([...block.subarray(block.length - 5)]).toEqual([0, 0, 0, 0xff, 0xff]);
  });

  it('reads a peer stream compressed with the dictionary, in order, across many blocks', async () => {
    const compress = goLikeCompressor();
    const d = new HeaderDecompressor();
    const sent = [];
    for (let i = 0; i < 20; i++) sent.push({ streamtype: i % 2 ? 'data' : 'error', port: '8080', requestid: String(i) });
    const blocks = [];
    for (const h of sent) blocks.push(await compress(encodeHeaderBlock(h)));
    const got = await Promise.all(blocks.map((b) => d.decompress(b)));
    expect(got).toEqual(sent);
  });

  it('fails, without throwing out of the stream, on bytes that are not the peer zlib stream', async () => {
    const d = new HeaderDecompressor();
    await expect(d.decompress(Buffer.from('definitely not zlib'))).rejects.toThrow(/does not decompress/);
    await expect(d.decompress(Buffer.from([1, 2]))).rejects.toThrow();
  });

  it('refuses blocks with absurd header counts', async () => {
    const compress = goLikeCompressor();
    const d = new HeaderDecompressor({ maxHeaders: 5 });
    const block = Buffer.alloc(4);
    block.writeUInt32BE(1_000_000);
    await expect(d.decompress(await compress(block))).rejects.toThrow(/1000000 headers/);
  });
});
