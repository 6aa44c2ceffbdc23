// HPACK (src/h2/hpack/, RFC 7541): the RFC's Appendix C examples byte for byte, Huffman edge
// cases, the decoder's limits (integer overflow, table size updates, header-list bombs), the
// encoder's indexing and size-update choices, and a differential against real HTTP/2 servers
// (nghttpd and node:http2) spoken to over a raw socket, with frame headers written by hand (the
// frame layer is not under test here).

import assert from 'node:assert/strict';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import { describe, test, type TestContext } from 'node:test';
import {
  HeaderListTooLargeError,
  HpackDecoder,
  HpackEncoder,
  HpackError,
  decodeInteger,
  encodeInteger,
  fieldNameError,
  huffmanDecode,
  huffmanEncode,
  huffmanEncodedLength,
  maxDecodedLength,
  type EncoderOptions,
} from '../src/h2/hpack/index.js';
import { havePeer, nghttpd } from './support/peers.js';
import { RawH2 } from './support/raw-h2.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** The table's entries newest first, with their §4.1 sizes. */
function entries(t: { length: number; name(i: number): string; value(i: number): string }): [string, string, number][] {
  const out: [string, string, number][] = [];
  for (let i = 0; i < t.length; i++) out.push([t.name(i), t.value(i), t.name(i).length + t.value(i).length + 32]);
  return out;
}

const flat = (pairs: readonly (readonly [string, string])[]): string[] => pairs.flatMap((p) => [p[0], p[1]]);

function expectHpackError(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof HpackError, `not an HpackError: ${String(e)}`);
    assert.equal(e.code, 'ERR_PROTOCOL');
    assert.equal(e.h2Code, 'COMPRESSION_ERROR');
    assert.match(e.message, re);
    return true;
  });
}

// ---------------------------------------------------------------- Appendix C

describe('RFC 7541 Appendix C', () => {
  test('C.1 integers', () => {
    const out = Buffer.alloc(8);
    const cases: [number, number, string][] = [
      [10, 5, '0a'], // C.1.1
      [1337, 5, '1f9a0a'], // C.1.2
      [42, 8, '2a'], // C.1.3
    ];
    for (const [value, prefix, wire] of cases) {
      const end = encodeInteger(out, 0, value, prefix, 0);
      assert.equal(toHex(out.subarray(0, end)), wire);
      const cur = { pos: 0 };
      assert.equal(decodeInteger(hex(wire), cur, wire.length / 2, prefix), value);
      assert.equal(cur.pos, wire.length / 2);
    }
    // The pattern bits above the prefix are ignored on decode.
    assert.equal(decodeInteger(hex('ea'), { pos: 0 }, 1, 5), 10);
  });

  // C.2: one field each, with an encoder configured to make the RFC's choice.
  const c2: { id: string; wire: string; field: [string, string]; table: [string, string, number][]; opts: EncoderOptions }[] = [
    {
      id: 'C.2.1 literal with indexing',
      wire: '400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572',
      field: ['custom-key', 'custom-header'],
      table: [['custom-key', 'custom-header', 55]],
      opts: { huffman: 'never' },
    },
    {
      id: 'C.2.2 literal without indexing',
      wire: '040c 2f73 616d 706c 652f 7061 7468',
      field: [':path', '/sample/path'],
      table: [],
      opts: { huffman: 'never' },
    },
    {
      id: 'C.2.3 literal never indexed',
      wire: '1008 7061 7373 776f 7264 0673 6563 7265 74',
      field: ['password', 'secret'],
      table: [],
      opts: { huffman: 'never', neverIndex: (n) => n === 'password' },
    },
    { id: 'C.2.4 indexed', wire: '82', field: [':method', 'GET'], table: [], opts: {} },
  ];
  for (const c of c2) {
    test(c.id, () => {
      const enc = new HpackEncoder(c.opts);
      assert.equal(toHex(enc.encode(c.field)), c.wire.replace(/\s+/g, ''));
      assert.deepEqual(entries(enc.table), c.table);
      const dec = new HpackDecoder();
      assert.deepEqual(dec.decode(hex(c.wire)), c.field);
      assert.deepEqual(entries(dec.table), c.table);
      assert.deepEqual(dec.neverIndexed, c.id.includes('never') ? [0] : []);
    });
  }

  const REQ1: [string, string][] = [
    [':method', 'GET'],
    [':scheme', 'http'],
    [':path', '/'],
    [':authority', 'www.example.com'],
  ];
  const REQ2: [string, string][] = [...REQ1, ['cache-control', 'no-cache']];
  const REQ3: [string, string][] = [
    [':method', 'GET'],
    [':scheme', 'https'],
    [':path', '/index.html'],
    [':authority', 'www.example.com'],
    ['custom-key', 'custom-value'],
  ];
  const REQ_TABLES: [string, string, number][][] = [
    [[':authority', 'www.example.com', 57]],
    [
      ['cache-control', 'no-cache', 53],
      [':authority', 'www.example.com', 57],
    ],
    [
      ['custom-key', 'custom-value', 54],
      ['cache-control', 'no-cache', 53],
      [':authority', 'www.example.com', 57],
    ],
  ];
  const REQ_SIZES = [57, 110, 164];

  const RES1: [string, string][] = [
    [':status', '302'],
    ['cache-control', 'private'],
    ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'],
    ['location', 'https://www.example.com'],
  ];
  const RES2: [string, string][] = [[':status', '307'], ...RES1.slice(1)];
  const RES3: [string, string][] = [
    [':status', '200'],
    ['cache-control', 'private'],
    ['date', 'Mon, 21 Oct 2013 20:13:22 GMT'],
    ['location', 'https://www.example.com'],
    ['content-encoding', 'gzip'],
    ['set-cookie', 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1'],
  ];
  const RES_TABLES: [string, string, number][][] = [
    [
      ['location', 'https://www.example.com', 63],
      ['date', 'Mon, 21 Oct 2013 20:13:21 GMT', 65],
      ['cache-control', 'private', 52],
      [':status', '302', 42],
    ],
    [
      [':status', '307', 42],
      ['location', 'https://www.example.com', 63],
      ['date', 'Mon, 21 Oct 2013 20:13:21 GMT', 65],
      ['cache-control', 'private', 52],
    ],
    [
      ['set-cookie', 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1', 98],
      ['content-encoding', 'gzip', 52],
      ['date', 'Mon, 21 Oct 2013 20:13:22 GMT', 65],
    ],
  ];
  const RES_SIZES = [222, 222, 215];

  interface Sequence {
    id: string;
    blocks: string[];
    lists: [string, string][][];
    tables: [string, string, number][][];
    sizes: number[];
    tableSize: number;
    opts: EncoderOptions;
  }
  const sequences: Sequence[] = [
    {
      id: 'C.3 requests without Huffman',
      blocks: [
        '8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
        '8286 84be 5808 6e6f 2d63 6163 6865',
        '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65',
      ],
      lists: [REQ1, REQ2, REQ3],
      tables: REQ_TABLES,
      sizes: REQ_SIZES,
      tableSize: 4096,
      opts: { huffman: 'never' },
    },
    {
      id: 'C.4 requests with Huffman',
      blocks: [
        '8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff',
        '8286 84be 5886 a8eb 1064 9cbf',
        '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf',
      ],
      lists: [REQ1, REQ2, REQ3],
      tables: REQ_TABLES,
      sizes: REQ_SIZES,
      tableSize: 4096,
      opts: {},
    },
    {
      id: 'C.5 responses without Huffman, table size 256',
      blocks: [
        '4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
        '4803 3330 37c1 c0bf',
        '88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31',
      ],
      lists: [RES1, RES2, RES3],
      tables: RES_TABLES,
      sizes: RES_SIZES,
      tableSize: 256,
      // The RFC indexes every literal, location and set-cookie included.
      opts: { huffman: 'never', maxTableSize: 256, shouldIndex: () => true },
    },
    {
      id: 'C.6 responses with Huffman, table size 256',
      blocks: [
        '4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3',
        '4883 640e ffc1 c0bf',
        '88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07',
      ],
      lists: [RES1, RES2, RES3],
      tables: RES_TABLES,
      sizes: RES_SIZES,
      tableSize: 256,
      // The RFC Huffman-codes '307' although that saves nothing (3 octets either way); the
      // default policy ('shorter') would send it raw.
      opts: { maxTableSize: 256, shouldIndex: () => true, huffman: 'always' },
    },
  ];

  for (const s of sequences) {
    test(`${s.id}: decoder`, () => {
      const dec = new HpackDecoder({ maxTableSize: s.tableSize });
      for (let i = 0; i < s.blocks.length; i++) {
        // At 256 the decoder, like a real one, wants the peer's size update first (the RFC's
        // examples take the table as already at 256): 001 11111, 256 - 31 = 225 = e1 01.
        const block = i === 0 && s.tableSize !== 4096 ? '3fe101' + s.blocks[i]! : s.blocks[i]!;
        if (block !== s.blocks[i]) expectHpackError(() => new HpackDecoder({ maxTableSize: s.tableSize }).decode(hex(s.blocks[i]!)), /no dynamic table size update/);
        assert.deepEqual(dec.decode(hex(block)), flat(s.lists[i]!), `block ${i + 1}`);
        assert.deepEqual(entries(dec.table), s.tables[i], `table after block ${i + 1}`);
        assert.equal(dec.table.size, s.sizes[i]);
      }
    });
    test(`${s.id}: encoder`, () => {
      const enc = new HpackEncoder(s.opts);
      // A peer decoder that starts at the protocol's 4096, as a real one does.
      const dec = new HpackDecoder();
      for (let i = 0; i < s.blocks.length; i++) {
        let want = s.blocks[i]!.replace(/\s+/g, '');
        // The RFC's responses assume both tables already at 256; a real encoder has to say so
        // first: a size update to 256 (001 11111, 256 - 31 = 225 = e1 01) opens its first block.
        if (i === 0 && s.tableSize !== 4096) want = '3fe101' + want;
        const block = Buffer.from(enc.encode(flat(s.lists[i]!)));
        assert.equal(toHex(block), want, `block ${i + 1}`);
        assert.deepEqual(entries(enc.table), s.tables[i], `encoder table after block ${i + 1}`);
        assert.deepEqual(dec.decode(block), flat(s.lists[i]!));
        assert.deepEqual(entries(dec.table), s.tables[i]);
      }
    });
  }
});

// ---------------------------------------------------------------- Huffman

describe('Huffman', () => {
  const roundTrip = (s: string): string => {
    const n = huffmanEncodedLength(s);
    const enc = Buffer.alloc(n + 1, 0xee);
    assert.equal(huffmanEncode(s, enc, 0), n);
    const out = Buffer.alloc(maxDecodedLength(n));
    const m = huffmanDecode(enc, 0, n, out);
    return out.toString('latin1', 0, m);
  };

  test('every octet round-trips, alone, repeated and all together', () => {
    let all = '';
    for (let c = 0; c < 256; c++) {
      const ch = String.fromCharCode(c);
      all += ch;
      assert.equal(roundTrip(ch), ch, `octet ${c}`);
      assert.equal(roundTrip(ch.repeat(7)), ch.repeat(7), `octet ${c} ×7`);
    }
    assert.equal(roundTrip(all), all);
    assert.equal(roundTrip(all.split('').reverse().join('')), all.split('').reverse().join(''));
    assert.equal(roundTrip(''), '');
  });

  test('known codes (Appendix B)', () => {
    const out = Buffer.alloc(8);
    // 'a' is 00011 (5 bits): padded with 111 → 0x1f. '0' is 00000 → 0x07.
    assert.equal(toHex(out.subarray(0, huffmanEncode('a', out, 0))), '1f');
    assert.equal(toHex(out.subarray(0, huffmanEncode('0', out, 0))), '07');
    assert.equal(toHex(out.subarray(0, huffmanEncode('no-cache', out, 0))), 'a8eb10649cbf');
  });

  const decode = (h: string): string => {
    const src = hex(h);
    const out = Buffer.alloc(maxDecodedLength(src.length));
    return out.toString('latin1', 0, huffmanDecode(src, 0, src.length, out));
  };

  test('padding: all ones and at most 7 bits, else refused (RFC 7541 §5.2)', () => {
    assert.equal(decode('1f'), 'a');
    expectHpackError(() => decode('18'), /padding/); // 'a' + 000
    expectHpackError(() => decode('1e'), /padding/); // 'a' + 110
    expectHpackError(() => decode('1fff'), /padding/); // 'a' + 11 bits of ones
    expectHpackError(() => decode('ff'), /padding/); // 8 bits of ones, no symbol
    // A 4-bit tail of a longer code that is not all ones.
    expectHpackError(() => decode('fe'), /padding/);
  });

  test('EOS inside the string is refused', () => {
    // 30 ones is EOS; 32 ones contain it.
    expectHpackError(() => decode('ffffffff'), /EOS/);
    // EOS after a symbol: 'a' (00011) then 30 ones, then 5 ones of padding.
    expectHpackError(() => decode('1fffffffff'), /EOS/);
  });

  test('characters over U+00FF have no code', () => {
    assert.equal(huffmanEncodedLength('\u00e9'), 3); // é is 0xe9: 20 bits
    assert.equal(huffmanEncodedLength('\u00ff'), 4); // 26 bits
    assert.equal(huffmanEncodedLength('€'), -1);
  });
});

// ---------------------------------------------------------------- decoder limits

describe('decoder refusals', () => {
  test('integers over 2^31-1 or with more than 5 continuation octets', () => {
    const dec = () => new HpackDecoder();
    // Indexed field, 7-bit prefix: 127 + 0x7fffff80 = 2^31-1 is the largest; it is out of range
    // as an index, but refused as an index, not as an integer.
    expectHpackError(() => dec().decode(hex('ff80ffffff07')), /past the dynamic table/);
    expectHpackError(() => dec().decode(hex('ff81ffffff07')), /over 2147483647/);
    expectHpackError(() => dec().decode(hex('ffffffffffff0f')), /continuation octets/);
    expectHpackError(() => dec().decode(hex('ff808080808000')), /continuation octets/);
    expectHpackError(() => dec().decode(hex('ff80')), /truncated integer/);
    assert.equal(decodeInteger(hex('7f80ffffff07'), { pos: 0 }, 6, 7), 0x7fffffff);
  });

  test('index 0 and indexes past the tables', () => {
    expectHpackError(() => new HpackDecoder().decode(hex('80')), /index 0/);
    expectHpackError(() => new HpackDecoder().decode(hex('be')), /index 62 past/);
    // Literal with an indexed name past the tables.
    expectHpackError(() => new HpackDecoder().decode(hex('7e0161')), /name index 62 past/);
    const d = new HpackDecoder();
    d.decode(hex('400178 0179')); // x: y into the table
    assert.deepEqual(d.decode(hex('be')), ['x', 'y']);
    expectHpackError(() => d.decode(hex('bf')), /index 63 past/);
  });

  test('strings past the end of the block', () => {
    expectHpackError(() => new HpackDecoder().decode(hex('000561')), /past the end/);
    expectHpackError(() => new HpackDecoder().decode(hex('00')), /truncated string/);
    expectHpackError(() => new HpackDecoder().decode(hex('000161')), /truncated string/);
  });

  test('the table starts at 4096 whatever we advertise: the peer starts there too (RFC 9113 §6.5.2)', () => {
    const d = new HpackDecoder({ maxTableSize: 8192 });
    assert.equal(d.table.maxSize, 4096);
    // Three 2,000-octet entries: the third evicts the first at 4096, as the peer's encoder does.
    const v = (c: string) => Buffer.concat([hex('400178 7f d10e'), Buffer.alloc(2000, c)]);
    for (const c of 'abc') d.decode(v(c));
    assert.equal(d.table.length, 2);
    assert.deepEqual(d.decode(hex('bf')), ['x', 'b'.repeat(2000)]);
    d.decode(hex('3fe13f')); // an update to 8192 is allowed
    assert.equal(d.table.maxSize, 8192);
  });

  test('table size update: at most what we advertised, only at the start of a block', () => {
    const d = new HpackDecoder({ maxTableSize: 4096 });
    d.decode(hex('3fe11f')); // 4096
    assert.equal(d.table.maxSize, 4096);
    expectHpackError(() => new HpackDecoder().decode(hex('3fe21f')), /over the 4096 we advertised/);
    expectHpackError(() => new HpackDecoder().decode(hex('82 20')), /after a header field/);
    // Two updates at the start are fine (§4.2: the smallest, then the final).
    const d2 = new HpackDecoder();
    d2.decode(hex('400178 0179'));
    assert.deepEqual(d2.decode(hex('20 3fe11f 82')), [':method', 'GET']);
    assert.equal(d2.table.length, 0, 'the update to 0 evicted everything');
  });

  test('after we lower SETTINGS_HEADER_TABLE_SIZE the next block must start with an update', () => {
    const d = new HpackDecoder();
    d.decode(hex('400178 0179'));
    d.setMaxTableSize(100);
    expectHpackError(() => d.decode(hex('82')), /no dynamic table size update/);
    const d2 = new HpackDecoder();
    d2.setMaxTableSize(100);
    expectHpackError(() => d2.decode(hex('3f4682')), /over the 100/); // 31+70 = 101
    assert.deepEqual(d2.decode(hex('3f4582')), [':method', 'GET']); // 100
    assert.deepEqual(d2.decode(hex('82')), [':method', 'GET'], 'one update is enough');
  });

  test('an entry larger than the table empties it (§4.4), not an error', () => {
    const d = new HpackDecoder({ maxTableSize: 64 });
    d.decode(hex('3f21 400178 0179')); // size update to 64, then x: y
    assert.equal(d.table.length, 1);
    const big = 'v'.repeat(40);
    assert.deepEqual(d.decode(Buffer.concat([hex('400178 28'), Buffer.from(big)])), ['x', big]);
    assert.equal(d.table.length, 0);
    assert.equal(d.table.size, 0);
  });
});

test('decoder: a plain Uint8Array view (with an offset) decodes like a Buffer', () => {
  const wire = hex('8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff');
  const backing = new Uint8Array(wire.length + 7);
  backing.set(wire, 5);
  const view = new Uint8Array(backing.buffer, 5, wire.length);
  assert.deepEqual(new HpackDecoder().decode(view), [':method', 'GET', ':scheme', 'http', ':path', '/', ':authority', 'www.example.com']);
});

describe('header list limit (RFC 9113 §6.5.2)', () => {
  /** A block inserting name "x" with a `valueLength`-octet value, then `refs` references to it. */
  function bomb(valueLength: number, refs: number): Buffer {
    const head = Buffer.alloc(8);
    let p = 0;
    head[p++] = 0x40;
    head[p++] = 0x01;
    head[p++] = 0x78;
    p = encodeInteger(head, p, valueLength, 7, 0);
    return Buffer.concat([head.subarray(0, p), Buffer.alloc(valueLength, 0x41), Buffer.alloc(refs, 0xbe)]);
  }

  test('a small block referencing a 4 KB entry many times is refused as it passes the limit', () => {
    const limit = 64 * 1024;
    const d = new HpackDecoder({ maxTableSize: 8192, maxHeaderListSize: limit });
    const block = bomb(4000, 100_000); // 104 KB that would decode to ~400 MB
    const out: string[] = [];
    const t0 = performance.now();
    assert.throws(
      () => d.decode(block, out),
      (e: unknown) => {
        assert.ok(e instanceof HeaderListTooLargeError);
        assert.equal(e.code, 'ERR_HEADERS_TOO_LARGE');
        assert.equal(e.h2Code, null, 'a stream error: the connection stays usable');
        assert.equal(e.limit, limit);
        return true;
      },
    );
    // Only the fields under the limit were kept: 16 × 4033 ≤ 65536 < 17 × 4033.
    assert.equal(out.length, 2 * 16);
    assert.ok(performance.now() - t0 < 2000, 'a lookup per reference, nothing more');
    // The table is in step with the peer's: the entry is there and the next block decodes.
    assert.equal(d.table.length, 1);
    assert.deepEqual(d.decode(hex('82')), [':method', 'GET']);
  });

  test('a literal over the limit is skipped without making its string, and table inserts still happen', () => {
    const d = new HpackDecoder({ maxHeaderListSize: 100 });
    // Field 1 (without indexing) is 1000 octets: over. Field 2 is inserted into the table.
    const block = Buffer.concat([hex('0001 61 7f e906'), Buffer.alloc(1000, 0x41), hex('400162 0163')]);
    const out: string[] = [];
    assert.throws(() => d.decode(block, out), HeaderListTooLargeError);
    assert.deepEqual(out, []);
    assert.deepEqual(entries(d.table), [['b', 'c', 34]]);
    assert.deepEqual(d.decode(hex('be')), ['b', 'c']);
  });

  test('exactly at the limit passes', () => {
    const d = new HpackDecoder({ maxHeaderListSize: 42 }); // ':method' 7 + 'GET' 3 + 32
    assert.deepEqual(d.decode(hex('82')), [':method', 'GET']);
    assert.throws(() => d.decode(hex('8282')), HeaderListTooLargeError);
    d.setMaxHeaderListSize(84);
    assert.deepEqual(d.decode(hex('8282')), [':method', 'GET', ':method', 'GET']);
  });
});

// ---------------------------------------------------------------- encoder choices

describe('encoder', () => {
  test('credentials and short cookies are never indexed; the decoder reports them', () => {
    const enc = new HpackEncoder();
    const fields = ['authorization', 'Bearer abc', 'cookie', 'a=b', 'cookie', 'session=0123456789abcdef0123', 'proxy-authorization', 'Basic eA=='];
    const block = Buffer.from(enc.encode(fields));
    // authorization: static name 23 with a 4-bit prefix: 0001 1111, 23-15 = 8.
    assert.equal(toHex(block.subarray(0, 2)), '1f08');
    const dec = new HpackDecoder();
    assert.deepEqual(dec.decode(block), fields);
    assert.deepEqual(dec.neverIndexed, [0, 1, 3]);
    assert.deepEqual(
      entries(enc.table).map((e) => e[0]),
      ['cookie'],
      'only the long cookie entered the table',
    );
    // Sent again: the long cookie is an index, the credentials literals again.
    const again = Buffer.from(enc.encode(fields));
    assert.deepEqual(dec.decode(again), fields);
    assert.ok(again.length < block.length);
  });

  test('table size updates follow the peer: smallest then final (§4.2)', () => {
    const enc = new HpackEncoder();
    const dec = new HpackDecoder();
    const fields = ['x-a', 'one', 'x-b', 'two'];
    dec.decode(Buffer.from(enc.encode(fields)));
    assert.equal(enc.table.length, 2);
    enc.setPeerMaxTableSize(0);
    enc.setPeerMaxTableSize(8192); // capped by our own 4096
    const block = Buffer.from(enc.encode(fields));
    assert.equal(toHex(block.subarray(0, 4)), '203fe11f');
    assert.deepEqual(dec.decode(block), fields);
    assert.deepEqual(entries(dec.table), entries(enc.table));
    // No change: no update.
    enc.setPeerMaxTableSize(4096);
    assert.notEqual(enc.encode(fields)[0]! & 0xe0, 0x20);
    // Shrinking to 50 evicts on both sides alike.
    enc.setPeerMaxTableSize(50);
    const b3 = Buffer.from(enc.encode(fields));
    assert.equal(toHex(b3.subarray(0, 2)), '3f13');
    dec.setMaxTableSize(4096);
    assert.deepEqual(dec.decode(b3), fields);
    assert.deepEqual(entries(dec.table), entries(enc.table));
  });

  test('a cap above 4096 waits for the peer: no update until its SETTINGS allow more', () => {
    const enc = new HpackEncoder({ maxTableSize: 65536 });
    assert.equal(toHex(enc.encode([':method', 'GET'])), '82');
    enc.setPeerMaxTableSize(16384);
    assert.equal(toHex(enc.encode([':method', 'GET'])), '3fe17f82'); // 16384 - 31 = 16353
    assert.equal(enc.table.maxSize, 16384);
  });

  test('maxTableSize 0 indexes nothing', () => {
    const enc = new HpackEncoder({ maxTableSize: 0 });
    const dec = new HpackDecoder();
    for (let i = 0; i < 3; i++) {
      const fields = [':method', 'GET', 'x-n', String(i), 'user-agent', 'httpool'];
      assert.deepEqual(dec.decode(Buffer.from(enc.encode(fields))), fields);
      assert.equal(dec.table.length, 0);
    }
  });

  test('characters over U+00FF are refused with ERR_INVALID_HEADER, and the encoder stays refused', () => {
    for (const huffman of ['shorter', 'always', 'never'] as const) {
      const enc = new HpackEncoder({ huffman });
      // x-first enters the table before the bad field is reached: the table is now ahead of
      // what any peer saw, so the encoder must not produce another block.
      assert.throws(() => enc.encode(['x-first', 'one', 'x-a', 'caf\u20ac']), { code: 'ERR_INVALID_HEADER', message: /U\+00FF/ });
      assert.throws(() => enc.encode([':method', 'GET']), { code: 'ERR_INVALID_HEADER', message: /unusable/ });
      assert.throws(() => new HpackEncoder({ huffman }).encode(['x-\u0100', 'v']), { code: 'ERR_INVALID_HEADER' });
      assert.throws(() => new HpackEncoder({ huffman }).encode(['x-a', 'long \u20ac'.repeat(30)]), { code: 'ERR_INVALID_HEADER' });
    }
  });

  test('latin1 octets 0x80-0xFF survive the round trip as single chars', () => {
    const enc = new HpackEncoder();
    const v = 'caf\u00e9 \u00ff\u0080';
    const out = new HpackDecoder().decode(Buffer.from(enc.encode(['x-a', v])));
    assert.deepEqual(out, ['x-a', v]);
  });

  test('large fields grow the reusable buffer', () => {
    const enc = new HpackEncoder({ huffman: 'always' });
    const v = '\u00ff'.repeat(100_000);
    assert.deepEqual(new HpackDecoder().decode(Buffer.from(enc.encode(['x-big', v]))), ['x-big', v]);
  });
});

test('fieldNameError: RFC 9113 §8.2.1 names', () => {
  assert.equal(fieldNameError('content-type'), null);
  assert.equal(fieldNameError(':path'), null);
  assert.match(fieldNameError('Content-Type')!, /uppercase/);
  assert.match(fieldNameError('a b')!, /0x20/);
  assert.match(fieldNameError('x\u00e9')!, /0xe9/);
  assert.match(fieldNameError('')!, /empty/);
  assert.match(fieldNameError(':')!, /alone/);
});

// ---------------------------------------------------------------- differential: real servers

describe('differential against real HTTP/2 servers (h2c, raw socket)', () => {
  const IMF_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/;

  function request(port: number, path: string, extra: string[] = []): string[] {
    return [
      ':method', 'GET',
      ':scheme', 'http',
      ':authority', `127.0.0.1:${port}`,
      ':path', path,
      'user-agent', 'httpool-hpack-test/1.0',
      'accept', '*/*',
      'accept-encoding', 'gzip, deflate',
      'authorization', 'Bearer s3cret',
      'cookie', 'session=0123456789abcdef0123456789',
      ...extra,
    ];
  }

  /** The list with each date value checked and replaced by a placeholder. */
  function undated(fields: string[]): string[] {
    const out = fields.slice();
    for (let i = 0; i < out.length; i += 2) {
      if (out[i] === 'date') {
        assert.match(out[i + 1]!, IMF_DATE);
        out[i + 1] = '<date>';
      }
    }
    return out;
  }

  async function nodeServer(
    t: TestContext,
    settings: http2.Settings,
    onStream: (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => void,
  ): Promise<number> {
    const server = http2.createServer({ settings });
    const sockets = new Set<net.Socket>();
    server.on('connection', (s: net.Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    server.on('stream', (stream, headers) => {
      stream.on('error', () => {});
      onStream(stream, headers);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    t.after(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    });
    return (server.address() as net.AddressInfo).port;
  }

  // ours: the SETTINGS_HEADER_TABLE_SIZE we advertise (the server's encoder must shrink to it);
  // theirs: the one the server advertises (our encoder must shrink to it, mid-connection).
  const variants: { ours?: number; theirs?: number }[] = [{}, { ours: 100, theirs: 200 }];
  for (const v of variants) {
    const label = v.ours === undefined ? 'default table sizes' : `our table ${v.ours}, theirs ${v.theirs}`;
    test(`node:http2 server, ${label}: it reads our blocks, we read its responses exactly`, { timeout: 10_000 }, async (t) => {
      const seen: http2.IncomingHttpHeaders[] = [];
      const port = await nodeServer(t, v.theirs === undefined ? {} : { headerTableSize: v.theirs }, (stream, headers) => {
        seen.push(headers);
        const n = String(headers['x-n']);
        stream.respond({
          ':status': n === '3' ? 404 : 200,
          'content-type': 'text/plain; charset=utf-8',
          'cache-control': 'private, max-age=60',
          'x-echo-path': String(headers[':path']),
          'x-echo-auth': String(headers.authorization),
          'x-big': 'b'.repeat(1000),
          'set-cookie': ['a=1', `n=${n}`],
          'x-n': n,
          'x-latin1': 'caf\u00e9',
        });
        stream.end(`ok ${n}`);
      });
      const conn = await RawH2.connect(port, v.ours === undefined ? {} : { settings: [[0x1, v.ours]] });
      t.after(() => conn.close());
      const sizes: number[] = [];
      for (let i = 0; i < 6; i++) {
        const path = `/r/${i}?q=${'x'.repeat(i * 7)}`;
        // A large field new in every request: our encoder indexes it (default sizes) and evicts
        // older entries as the table fills, which the server's decoder must follow.
        const rotate = `x-rotate-${i}`;
        const rotated = String(i).repeat(1200);
        const res = await conn.request(request(port, path, ['x-n', String(i), 'x-same', 'same-every-time', rotate, rotated]));
        sizes.push(res.blockBytes);
        // node:http2 sends :status, the fields in the order given, then date (set by node).
        assert.deepEqual(undated(res.fields), [
          ':status', i === 3 ? '404' : '200',
          'content-type', 'text/plain; charset=utf-8',
          'cache-control', 'private, max-age=60',
          'x-echo-path', path,
          'x-echo-auth', 'Bearer s3cret',
          'x-big', 'b'.repeat(1000),
          'set-cookie', 'a=1',
          'set-cookie', `n=${i}`,
          'x-n', String(i),
          'x-latin1', 'caf\u00e9',
          'date', '<date>',
        ], `response ${i}`);
        assert.equal(res.body.toString(), `ok ${i}`);
        // What the server decoded from our block.
        const h = seen[i]!;
        assert.equal(h[':path'], path);
        assert.equal(h[':authority'], `127.0.0.1:${port}`);
        assert.equal(h['user-agent'], 'httpool-hpack-test/1.0');
        assert.equal(h['accept-encoding'], 'gzip, deflate');
        assert.equal(h.cookie, 'session=0123456789abcdef0123456789');
        assert.equal(h['x-same'], 'same-every-time');
        assert.equal(h[rotate], rotated);
        // nghttp2 (inside node) saw authorization as never-indexed (RFC 7541 §6.2.3).
        assert.deepEqual((h as Record<symbol, unknown>)[http2.sensitiveHeaders], ['authorization']);
      }
      if (v.ours === undefined) {
        // The server indexed the 1 KB field (750 octets Huffman-coded) in the first response and
        // referenced it after.
        assert.ok(sizes[0]! > 700 && sizes.slice(1).every((s) => s < 100), `block sizes ${sizes.join(', ')}`);
        assert.ok(conn.decoder.table.length > 3);
        assert.ok(conn.encoder.table.inserted > conn.encoder.table.length, 'our encoder evicted entries');
      } else {
        // It honoured our smaller table: the 1 KB field went literal every time.
        assert.ok(sizes.every((s) => s > 700), `block sizes ${sizes.join(', ')}`);
        assert.ok(conn.decoder.table.size <= v.ours);
        assert.equal(conn.decoder.table.maxSize, v.ours, 'the server sent a table size update to our size');
        assert.equal(conn.peerSettings.get(0x1), v.theirs);
        assert.equal(conn.encoder.table.maxSize, v.theirs, 'our encoder shrank to the server\'s size');
      }
    });
  }

  test('nghttpd: responses decode to what node:http2 (nghttp2 inside) reads of the same requests', { timeout: 10_000 }, async (t) => {
    if (!havePeer(t, 'nghttpd')) return;
    const p = await nghttpd({ tls: false });
    t.after(() => p.stop());
    const paths = ['/hello', '/hello', '/nope', '/hello', '/big', '/hello'];

    // What node's client reads, per path (date aside).
    const session = http2.connect(`http://127.0.0.1:${p.port}`);
    t.after(() => session.close());
    const reference = new Map<string, Record<string, unknown>>();
    for (const path of new Set(paths)) {
      const headers = await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
        const req = session.request({ ':path': path });
        req.on('response', (h) => resolve(h));
        req.on('error', reject);
        req.resume();
      });
      const copy: Record<string, unknown> = { ...headers };
      delete copy.date;
      delete (copy as Record<symbol, unknown>)[http2.sensitiveHeaders];
      reference.set(path, copy);
    }

    const conn = await RawH2.connect(p.port);
    t.after(() => conn.close());
    const sizes: number[] = [];
    for (let i = 0; i < paths.length; i++) {
      const path = paths[i]!;
      const res = await conn.request(request(p.port, path, ['x-n', String(i)]));
      sizes.push(res.blockBytes);
      const fields = undated(res.fields);
      assert.equal(fields[0], ':status');
      assert.equal(fields[1], path === '/nope' ? '404' : '200');
      const got: Record<string, unknown> = {};
      for (let j = 0; j < fields.length; j += 2) if (fields[j] !== 'date') got[fields[j]!] = fields[j + 1];
      // node gives :status as a number.
      const want: Record<string, unknown> = { ...reference.get(path)!, ':status': String(reference.get(path)![':status']) };
      assert.deepEqual(got, want, `response ${i} ${path}`);
      assert.match(String(got.server), /^nghttpd nghttp2\//);
      if (path === '/hello') assert.equal(res.body.toString(), 'hello');
      if (path === '/big') assert.equal(res.body.length, 1 << 20);
    }
    // nghttpd indexes server/cache fields: repeated responses are smaller than the first.
    assert.ok(sizes[1]! < sizes[0]!, `block sizes ${sizes.join(', ')}`);
    assert.ok(conn.decoder.table.length > 0);
  });
});
