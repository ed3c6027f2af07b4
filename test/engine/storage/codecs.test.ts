/**
 * Every codec on every kind it supports: exact round trips (bit for bit for
 * doubles), exact encodedSize, and the applicability rules (which blocks a codec
 * must accept, and which it must refuse with Infinity).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StorageError } from '../../../engine/errors.js';
import { bitWidth, pack, packedBytes, unpack } from '../../../engine/storage/codecs/bitpack.js';
import { ByteReader, varintSize, writeVarint } from '../../../engine/storage/codecs/bytes.js';
import type { Codec } from '../../../engine/storage/codecs/codec.js';
import {
  ALL_CODECS,
  AUTO_CANDIDATES,
  chooseEncoding,
  codecById,
  encodeAuto,
  encodingForRedshift,
  redshiftNameFor,
} from '../../../engine/storage/codecs/index.js';
import type { PhysicalKind, StrVector, Vector } from '../../../engine/types.js';
import { encodeAsciiStrings, NEAR_UNIQUE_MIN_ROWS } from '../../../engine/storage/codecs/auto-strings.js';

const RUNS = { numRuns: 150 };
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const TWO53 = 2 ** 53;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

// ---------------------------------------------------------------- vectors

/** Random NULL mask (or none) of a given length. */
function nullMask(n: number): fc.Arbitrary<Uint8Array | null> {
  return fc.oneof(fc.constant(null), fc.array(fc.boolean(), { minLength: n, maxLength: n }).map((bs) => Uint8Array.from(bs, (b) => (b ? 1 : 0))));
}

/**
 * Value lists in the shapes that exercise different codecs: anything, all equal,
 * sorted, and long runs. Lengths include 0 and 1.
 */
function shaped<T>(value: fc.Arbitrary<T>, sort: (a: T, b: T) => number): fc.Arbitrary<T[]> {
  const len = fc.oneof(fc.constant(0), fc.constant(1), fc.integer({ min: 2, max: 300 }));
  return fc.oneof(
    len.chain((n) => fc.array(value, { minLength: n, maxLength: n })),
    fc.tuple(value, len).map(([x, n]) => new Array<T>(n).fill(x)),
    fc.array(value, { maxLength: 300 }).map((xs) => xs.sort(sort)),
    fc.array(fc.tuple(value, fc.integer({ min: 1, max: 40 })), { maxLength: 20 }).map((runs) => runs.flatMap(([x, k]) => new Array<T>(k).fill(x))),
  );
}

/** Applies a NULL mask the way the engine stores NULLs: the slot holds 0. */
function withNulls<V extends { length: number }>(values: V, zeroAt: (i: number) => void, mask: Uint8Array | null): Uint8Array | null {
  if (mask) for (let i = 0; i < values.length; i++) if (mask[i]) zeroAt(i);
  return mask;
}

const i32Value = fc.oneof(
  fc.integer({ min: INT32_MIN, max: INT32_MAX }),
  fc.constantFrom(INT32_MIN, INT32_MAX, 0, -1, 1),
  fc.integer({ min: -100, max: 100 }),
);

const i32Vectors: fc.Arbitrary<Vector> = shaped(i32Value, (a, b) => a - b).chain((xs) =>
  nullMask(xs.length).map((mask) => {
    const values = Int32Array.from(xs);
    const nulls = withNulls(values, (i) => (values[i] = 0), mask);
    return { kind: 'i32', values, nulls, length: values.length } as Vector;
  }),
);

/** A double from raw bits: reaches every NaN payload, -0, subnormals, infinities. */
const anyBitsDouble = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff })).map(([lo, hi]) => {
  const w = new Uint32Array([lo, hi]);
  return new Float64Array(w.buffer)[0]!;
});

const f64Value = fc.oneof(
  fc.integer({ min: -1e6, max: 1e6 }),
  fc.maxSafeInteger(),
  fc.constantFrom(TWO53, -TWO53, MAX_SAFE, -MAX_SAFE, 0, -0, NaN, Infinity, -Infinity, 0.5, -1.25, 1e-300, 2 ** 32, -(2 ** 32)),
  fc.double(),
  anyBitsDouble,
  // Timestamps in microseconds and scaled decimals: integral, wide.
  fc.integer({ min: 0, max: 2 ** 30 }).map((x) => 1_600_000_000_000_000 + x * 1000),
);

/** Doubles that are all integral (so FOR and DELTA apply), including the ±2^53 edges. */
const f64IntegralValue = fc.oneof(fc.integer({ min: -1e6, max: 1e6 }), fc.maxSafeInteger(), fc.constantFrom(TWO53, -TWO53, MAX_SAFE, -MAX_SAFE, 0));

function f64VectorsOf(value: fc.Arbitrary<number>): fc.Arbitrary<Vector> {
  // Sorting by value would put NaN anywhere; order by bits for NaN-free stability instead.
  return shaped(value, (a, b) => (a < b ? -1 : a > b ? 1 : 0)).chain((xs) =>
    nullMask(xs.length).map((mask) => {
      const values = Float64Array.from(xs);
      const nulls = withNulls(values, (i) => (values[i] = 0), mask);
      return { kind: 'f64', values, nulls, length: values.length } as Vector;
    }),
  );
}

const f64Vectors = fc.oneof(f64VectorsOf(f64Value), f64VectorsOf(f64IntegralValue));

const boolVectors: fc.Arbitrary<Vector> = shaped(fc.constantFrom(0, 1), (a, b) => a - b).chain((xs) =>
  nullMask(xs.length).map((mask) => {
    const values = Uint8Array.from(xs);
    const nulls = withNulls(values, (i) => (values[i] = 0), mask);
    return { kind: 'bool', values, nulls, length: values.length } as Vector;
  }),
);

const stringValue = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.string({ maxLength: 20 }),
  fc.constantFrom('', 'a', '\uFEFFbom first', 'naïve', '日本語テキスト', '😀👍🏽', 'x'.repeat(300), '\u0000nul'),
);

/**
 * String vectors as the engine builds them: codes into a dictionary that may hold
 * unused entries and the same string under several codes. NULL rows hold code 0.
 */
const strVectors: fc.Arbitrary<Vector> = fc
  .array(stringValue, { minLength: 1, maxLength: 30 })
  .chain((pool) => {
    const dict = [...pool, ...pool.slice(0, 3)]; // duplicates under other codes
    return shaped(fc.integer({ min: 0, max: dict.length - 1 }), (a, b) => (dict[a]! < dict[b]! ? -1 : dict[a]! > dict[b]! ? 1 : 0)).chain((idx) =>
      nullMask(idx.length).map((mask) => {
        const codes = Uint32Array.from(idx);
        const nulls = withNulls(codes, (i) => (codes[i] = 0), mask);
        return { kind: 'str', codes, dict, nulls, length: codes.length } as Vector;
      }),
    );
  });

const vectorsOf: Record<PhysicalKind, fc.Arbitrary<Vector>> = { i32: i32Vectors, f64: f64Vectors, bool: boolVectors, str: strVectors };
const KINDS: readonly PhysicalKind[] = ['i32', 'f64', 'bool', 'str'];

// ---------------------------------------------------------------- checks

function rowStrings(v: StrVector): string[] {
  return Array.from(v.codes, (c) => v.dict[c]!);
}

/** The exact bytes of a numeric vector's values: equal bytes mean bit-identical values. */
function valueBytes(v: Vector): Uint8Array {
  if (v.kind === 'str') throw new Error('not numeric');
  return new Uint8Array(v.values.buffer, v.values.byteOffset, v.length * v.values.BYTES_PER_ELEMENT);
}

function expectSameValues(decoded: Vector, original: Vector): void {
  expect(decoded.kind).toBe(original.kind);
  expect(decoded.length).toBe(original.length);
  expect(decoded.nulls).toBeNull();
  if (original.kind === 'str') {
    const d = decoded as StrVector;
    expect(d.codes.length).toBe(original.length);
    for (const c of d.codes) expect(c).toBeLessThan(d.dict.length);
    expect(rowStrings(d)).toEqual(rowStrings(original));
  } else {
    expect((decoded as { values: unknown }).values).toBeInstanceOf(original.values.constructor);
    expect(Buffer.from(valueBytes(decoded)).equals(Buffer.from(valueBytes(original)))).toBe(true);
  }
}

/** Whether the block is one a FOR block can hold exactly. */
function forApplies(v: Vector): boolean {
  if (v.kind === 'str') return false;
  if (v.kind !== 'f64') return true;
  return Array.from(v.values).every((x) => Number.isInteger(x) && Math.abs(x) <= TWO53 && !Object.is(x, -0));
}

/** Whether the block is one a DELTA block can hold exactly. */
function deltaApplies(v: Vector): boolean {
  if (v.kind === 'str') return false;
  if (v.kind !== 'f64') return true;
  const xs = Array.from(v.values);
  if (!xs.every((x) => Number.isSafeInteger(x) && !Object.is(x, -0))) return false;
  // Steps computed exactly with BigInt.
  for (let i = 1; i < xs.length; i++) {
    const step = BigInt(xs[i]!) - BigInt(xs[i - 1]!);
    if (step > BigInt(MAX_SAFE) || step < -BigInt(MAX_SAFE)) return false;
  }
  return true;
}

function mustApply(codec: Codec, v: Vector): boolean {
  switch (codec.id) {
    case 'for':
      return forApplies(v);
    case 'delta':
      return deltaApplies(v);
    default:
      return true;
  }
}

function checkRoundTrip(codec: Codec, v: Vector): void {
  const size = codec.encodedSize(v);
  expect(Number.isFinite(size)).toBe(mustApply(codec, v));
  if (!Number.isFinite(size)) {
    expect(() => codec.encode(v)).toThrow();
    return;
  }
  const bytes = codec.encode(v);
  expect(bytes.length).toBe(size);
  // Decoders must cope with a block at any offset inside a bigger buffer (as the segment reader hands them).
  const shifted = new Uint8Array(bytes.length + 3);
  shifted.set(bytes, 3);
  expectSameValues(codec.decode(shifted.subarray(3), v.kind, v.length), v);
}

// ---------------------------------------------------------------- tests

describe('codecs round-trip every kind they support', () => {
  for (const codec of ALL_CODECS) {
    for (const kind of KINDS) {
      if (!codec.supports(kind)) continue;
      // zstd compresses per run; fewer runs keep the suite quick without losing much.
      const runs = codec.id === 'zstd' ? { numRuns: 60 } : RUNS;
      it(`${codec.id} on ${kind}`, () => {
        fc.assert(fc.property(vectorsOf[kind], (v) => checkRoundTrip(codec, v)), runs);
      });
    }
  }

  it('FOR and DELTA do not take strings; the others take every kind', () => {
    for (const codec of ALL_CODECS) {
      for (const kind of KINDS) expect(codec.supports(kind)).toBe(!(kind === 'str' && (codec.id === 'for' || codec.id === 'delta')));
    }
  });
});

/** Rows sel of v, as a scan would gather them after decoding the whole block. */
function picked(v: Vector, sel: readonly number[]): Vector {
  if (v.kind === 'str') return { kind: 'str', codes: Uint32Array.from(sel, (i) => v.codes[i]!), dict: v.dict, nulls: null, length: sel.length };
  const values = new (v.values.constructor as Float64ArrayConstructor)(sel.length);
  sel.forEach((i, j) => (values[j] = v.values[i]!));
  return { kind: v.kind, values, nulls: null, length: sel.length } as Vector;
}

describe('selective decoding (the rows a scan filter kept)', () => {
  for (const codec of ALL_CODECS) {
    if (!codec.decodeSelected) continue;
    for (const kind of KINDS) {
      if (!codec.supports(kind)) continue;
      it(`${codec.id} on ${kind} gives exactly the selected rows of the full decode`, () => {
        const cases = vectorsOf[kind].chain((v) => fc.tuple(fc.constant(v), fc.array(fc.boolean(), { minLength: v.length, maxLength: v.length })));
        fc.assert(
          fc.property(cases, ([v, keep]) => {
            if (!Number.isFinite(codec.encodedSize(v))) return;
            const bytes = codec.encode(v);
            const shifted = new Uint8Array(bytes.length + 5);
            shifted.set(bytes, 5);
            const block = shifted.subarray(5);
            const sel = keep.flatMap((k, i) => (k ? [i] : []));
            // a selection array longer than the count, as the scan's reused buffer is
            const selArray = new Uint32Array(v.length + 7);
            selArray.set(sel);
            const got = codec.decodeSelected!(block, kind, v.length, selArray, sel.length);
            expectSameValues(got, picked(codec.decode(block, kind, v.length), sel));
          }),
          RUNS,
        );
      });
    }
  }
});

describe('edge cases, spelled out', () => {
  const i32 = (xs: number[]): Vector => ({ kind: 'i32', values: Int32Array.from(xs), nulls: null, length: xs.length });
  const f64 = (xs: number[]): Vector => ({ kind: 'f64', values: Float64Array.from(xs), nulls: null, length: xs.length });
  const str = (xs: string[]): Vector => ({ kind: 'str', codes: Uint32Array.from(xs, (_, i) => i), dict: xs, nulls: null, length: xs.length });

  const cases: Record<string, Vector> = {
    'empty i32': i32([]),
    'empty f64': f64([]),
    'empty str': str([]),
    'empty bool': { kind: 'bool', values: new Uint8Array(0), nulls: null, length: 0 },
    'int32 extremes': i32([INT32_MIN, INT32_MAX, INT32_MIN, 0, INT32_MAX]),
    'single int32 max': i32([INT32_MAX]),
    '±2^53': f64([-TWO53, TWO53, 0, TWO53, -TWO53]),
    'safe extremes': f64([-MAX_SAFE, MAX_SAFE, -MAX_SAFE]),
    'wide timestamps': f64([1_700_000_000_000_000, 1_700_000_000_000_001, -62_135_596_800_000_000]),
    'fractions': f64([0.1, 0.2, 0.30000000000000004, -1e-310]),
    'negative zero': f64([0, -0, 0, -0]),
    'NaN payloads': f64([NaN, new Float64Array(new Uint32Array([1, 0x7ff00000]).buffer)[0]!, new Float64Array(new Uint32Array([0xdeadbeef, 0xfff80000]).buffer)[0]!]),
    'unicode strings': str(['', 'a', '', 'ä', '𝄞', '\uFEFF', '日本', '😀', 'a'.repeat(1000), '']),
    'strings that repeat': str(['x', 'x', 'y', 'x', 'x', 'x']),
  };

  for (const [name, v] of Object.entries(cases)) {
    it(name, () => {
      for (const codec of ALL_CODECS) if (codec.supports(v.kind)) checkRoundTrip(codec, v);
    });
  }

  it('FOR holds the full ±2^53 span (wider than a double subtraction is exact)', () => {
    const v = f64([-TWO53, TWO53 - 1, -TWO53 + 1, TWO53, 12345]);
    expect(codecById('for').encodedSize(v)).toBe(9 + packedBytes(5, 32) + packedBytes(5, 55 - 32));
    checkRoundTrip(codecById('for'), v);
  });

  it('DELTA refuses steps beyond 2^53 - 1 and values beyond the safe range', () => {
    expect(codecById('delta').encodedSize(f64([-MAX_SAFE, MAX_SAFE]))).toBe(Infinity);
    expect(codecById('delta').encodedSize(f64([TWO53]))).toBe(Infinity);
    expect(codecById('delta').encodedSize(f64([0, MAX_SAFE, 0]))).toBeLessThan(Infinity);
  });

  it('a string with a lone surrogate next to its partner in the next row survives', () => {
    checkRoundTrip(codecById('raw'), str(['a\uD83D', '\uDE00b']));
  });
});

describe('codecs compress what they are built for', () => {
  const n = 16_384;
  const sortedDates: Vector = { kind: 'i32', values: Int32Array.from({ length: n }, (_, i) => 18000 + (i >> 6)), nulls: null, length: n };
  const stride: Vector = { kind: 'f64', values: Float64Array.from({ length: n }, (_, i) => 1.7e15 + i * 1_000_000), nulls: null, length: n };
  const small: Vector = { kind: 'i32', values: Int32Array.from({ length: n }, (_, i) => 1_000_000 + ((i * 7919) % 200)), nulls: null, length: n };
  const flags: Vector = { kind: 'str', codes: Uint32Array.from({ length: n }, (_, i) => (i * 31) % 3), dict: ['N', 'R', 'A', 'unused'], nulls: null, length: n };

  it('RLE stores a run once', () => {
    expect(codecById('rle').encodedSize(sortedDates)).toBe(varintSize(256) + 256 * (1 + 4));
  });
  it('DELTA packs a constant stride in 0 bits', () => {
    expect(codecById('delta').encodedSize(stride)).toBe(1 + 8 + 9);
  });
  it('DELTA writes varints when a few big jumps would widen every packed delta, and reads them back', () => {
    // ids rising by 0 to 40 with a jump now and then, wrapping around int32 once; doubles jumping across 2^52
    const ids = Int32Array.from({ length: n }, (_, i) => (i % 1000 === 999 ? -2_147_483_000 : 2_147_000_000 + i * 20 + ((i * 7919) % 41)));
    const big = Float64Array.from({ length: n }, (_, i) => (i % 500 === 0 ? 2 ** 52 + i : i * 3 - (i % 7)));
    for (const v of [{ kind: 'i32', values: ids, nulls: null, length: n }, { kind: 'f64', values: big, nulls: null, length: n }] as Vector[]) {
      const bytes = codecById('delta').encode(v);
      expect(bytes[0]).toBe(1);
      expect(codecById('delta').decode(bytes, v.kind, n)).toEqual(v);
      expect(() => codecById('delta').decode(bytes.subarray(0, bytes.length - 1), v.kind, n)).toThrow(/DELTA varints end/);
    }
  });
  it('FOR packs a small range at its bit width', () => {
    expect(codecById('for').encodedSize(small)).toBe(5 + packedBytes(n, 8));
  });
  it('DICT packs three distinct strings in 2 bits a row and ignores unused entries', () => {
    expect(codecById('dict').encodedSize(flags)).toBe(1 + packedBytes(n, 2) + 3 + 3);
  });
  it('ZSTD beats RAW on repetitive data', () => {
    expect(codecById('zstd').encodedSize(sortedDates)).toBeLessThan(codecById('raw').encodedSize(sortedDates) / 10);
  });
});

describe('chooseEncoding', () => {
  it('picks the smallest candidate that supports the kind', () => {
    fc.assert(
      fc.property(fc.oneof(i32Vectors, f64Vectors, boolVectors, strVectors), (v) => {
        const chosen = chooseEncoding(v, AUTO_CANDIDATES);
        const sizes = AUTO_CANDIDATES.filter((c) => c.supports(v.kind)).map((c) => c.encodedSize(v));
        expect(chosen.encodedSize(v)).toBe(Math.min(...sizes));
        expect(AUTO_CANDIDATES).toContain(chosen);
      }),
      { numRuns: 100 },
    );
  });

  it('falls back to RAW when no candidate can hold the block', () => {
    const fractions: Vector = { kind: 'f64', values: Float64Array.from([0.5, 1.5]), nulls: null, length: 2 };
    expect(chooseEncoding(fractions, [codecById('for'), codecById('delta')]).id).toBe('raw');
    const strs: Vector = { kind: 'str', codes: Uint32Array.from([0]), dict: ['a'], nulls: null, length: 1 };
    expect(chooseEncoding(strs, [codecById('for')]).id).toBe('raw');
    expect(chooseEncoding(strs, []).id).toBe('raw');
  });

  /** ASCII string blocks in the shapes AUTO must tell apart: few distinct values, runs, all distinct, duplicates under other codes. */
  const asciiStrVectors: fc.Arbitrary<StrVector> = fc
    .array(fc.oneof(fc.string({ unit: fc.integer({ min: 0, max: 127 }).map((c) => String.fromCharCode(c)), maxLength: 40 }), fc.constantFrom('', 'x'.repeat(200))), {
      minLength: 1,
      maxLength: 60,
    })
    .chain((pool) => {
      const dict = [...pool, ...pool.slice(0, 3)];
      return shaped(fc.integer({ min: 0, max: dict.length - 1 }), (a, b) => (dict[a]! < dict[b]! ? -1 : dict[a]! > dict[b]! ? 1 : 0)).map(
        (idx) => ({ kind: 'str', codes: Uint32Array.from(idx), dict, nulls: null, length: idx.length }) as StrVector,
      );
    });

  it('sizes an ASCII string block in one analysis with the same choice and bytes as the codecs one by one', () => {
    const [raw, rle, dict] = [codecById('raw'), codecById('rle'), codecById('dict')];
    fc.assert(
      fc.property(asciiStrVectors, (v) => {
        const expected = chooseEncoding(v, AUTO_CANDIDATES);
        const got = encodeAsciiStrings(v, raw, rle, dict);
        expect(got?.codec.id).toBe(expected.id);
        expect(got!.bytes).toEqual(expected.encode(v));
      }),
      { numRuns: 300 },
    );
  });

  it('takes RAW or RLE for a large block whose sample repeats no string, as the codecs one by one do', () => {
    const [raw, rle, dict] = [codecById('raw'), codecById('rle'), codecById('dict')];
    fc.assert(
      fc.property(fc.integer({ min: NEAR_UNIQUE_MIN_ROWS, max: 3 * NEAR_UNIQUE_MIN_ROWS }), fc.integer({ min: 1, max: 40 }), fc.boolean(), (n, width, runs) => {
        // all distinct, or (runs) each string twice in a row: RLE then halves the text
        const rows = Array.from({ length: n }, (_, i) => `r${String(runs ? i >> 1 : i).padStart(width, '0')}`);
        const v: StrVector = { kind: 'str', codes: Uint32Array.from(rows.keys()), dict: rows, nulls: null, length: n };
        const expected = chooseEncoding(v, AUTO_CANDIDATES);
        const got = encodeAsciiStrings(v, raw, rle, dict);
        expect(got?.codec.id).toBe(expected.id);
        expect(got!.bytes).toEqual(expected.encode(v));
      }),
      { numRuns: 8 },
    );
  });

  it('offers DICT a large block whose sample repeats strings', () => {
    const words = Array.from({ length: 500 }, (_, i) => `word number ${i}`);
    const n = 2 * NEAR_UNIQUE_MIN_ROWS;
    const v: StrVector = { kind: 'str', codes: Uint32Array.from({ length: n }, (_, i) => (i * 7919) % 500), dict: words, nulls: null, length: n };
    const got = encodeAsciiStrings(v, codecById('raw'), codecById('rle'), codecById('dict'));
    expect(got?.codec.id).toBe('dict');
    expect(got!.bytes).toEqual(codecById('dict').encode(v));
  });

  it('leaves a block that is not ASCII to the codecs one by one', () => {
    const v: StrVector = { kind: 'str', codes: Uint32Array.from([0, 1, 0]), dict: ['naïve', 'a'], nulls: null, length: 3 };
    expect(encodeAsciiStrings(v, codecById('raw'), codecById('rle'), codecById('dict'))).toBeNull();
    const got = encodeAuto(v);
    const expected = chooseEncoding(v, AUTO_CANDIDATES);
    expect(got.id).toBe(expected.id);
    expect(got.bytes).toEqual(expected.encode(v));
  });

  it('tries ZSTD on a large RAW string block from the RAW bytes it already has', () => {
    // distinct, varied text: RAW wins among the structural codecs, and zstd saves more than a quarter
    const words = ['carefully', 'final', 'deposits', 'sleep', 'quickly', 'ironic', 'packages', 'furiously'];
    const dict = Array.from({ length: 8000 }, (_, i) => `${words[i % 8]} ${words[(i * 7) % 8]} ${words[(i * 3) % 8]} ${i}`);
    const v: StrVector = { kind: 'str', codes: Uint32Array.from(dict.keys()), dict, nulls: null, length: dict.length };
    expect(chooseEncoding(v, AUTO_CANDIDATES).id).toBe('raw');
    const got = encodeAuto(v);
    expect(got.id).toBe('zstd');
    expect(got.bytes).toEqual(codecById('zstd').encode(v));
    expect(codecById('zstd').decode(got.bytes, 'str', v.length)).toMatchObject({ dict });
  });

  it('leaves ZSTD out of AUTO (its size costs a compression)', () => {
    expect(AUTO_CANDIDATES.map((c) => c.id)).not.toContain('zstd');
  });
});

describe('Redshift ENCODE names', () => {
  it('map onto our codecs, in any case', () => {
    const expected: Record<string, string> = {
      RAW: 'raw', AZ64: 'for', BYTEDICT: 'dict', RUNLENGTH: 'rle', DELTA: 'delta', DELTA32K: 'delta',
      MOSTLY8: 'for', MOSTLY16: 'for', MOSTLY32: 'for', ZSTD: 'zstd', LZO: 'zstd', TEXT255: 'dict', TEXT32K: 'dict', AUTO: 'auto',
    };
    for (const [name, id] of Object.entries(expected)) {
      expect(encodingForRedshift(name)).toBe(id);
      expect(encodingForRedshift(name.toLowerCase())).toBe(id);
    }
    expect(encodingForRedshift('Az64')).toBe('for');
    expect(encodingForRedshift('gzip')).toBeUndefined();
    expect(encodingForRedshift('toString')).toBeUndefined();
    expect(encodingForRedshift('')).toBeUndefined();
  });

  it('print back as Redshift names that map to the same codec', () => {
    const names = { raw: 'RAW', for: 'AZ64', dict: 'BYTEDICT', rle: 'RUNLENGTH', delta: 'DELTA', zstd: 'ZSTD' } as const;
    for (const codec of ALL_CODECS) {
      expect(redshiftNameFor(codec.id)).toBe(names[codec.id]);
      expect(encodingForRedshift(redshiftNameFor(codec.id))).toBe(codec.id);
      expect(codecById(codec.id)).toBe(codec);
    }
  });
});

describe('building blocks', () => {
  it('bit packing round-trips every width', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 32 }), fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 200 }), (width, raw) => {
        const mask = width === 32 ? 0xffffffff : 2 ** width - 1;
        const src = Uint32Array.from(raw, (x) => (width === 0 ? 0 : (x & mask) >>> 0));
        const out = new Uint8Array(packedBytes(src.length, width) + 2);
        expect(pack(src, src.length, width, out, 1)).toBe(1 + packedBytes(src.length, width));
        const back = new Uint32Array(src.length);
        unpack(out, 1, src.length, width, back);
        expect(Array.from(back)).toEqual(Array.from(src));
      }),
      RUNS,
    );
    expect(bitWidth(0)).toBe(0);
    expect(bitWidth(1)).toBe(1);
    expect(bitWidth(0xffffffff)).toBe(32);
  });

  it('varints round-trip up to 2^53 and size themselves exactly', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 0xffffffff }), fc.maxSafeInteger().map(Math.abs)), (x) => {
        const out = new Uint8Array(10);
        const end = writeVarint(out, 0, x);
        expect(end).toBe(varintSize(x));
        const r = new ByteReader(out);
        expect(r.varint()).toBe(x);
        expect(r.pos).toBe(end);
      }),
      RUNS,
    );
  });

  it('decoders report impossible blocks as CORRUPT', () => {
    const v: Vector = { kind: 'i32', values: Int32Array.from([1, 2, 3, 4]), nulls: null, length: 4 };
    for (const codec of ALL_CODECS) {
      const bytes = codec.encode(v);
      // The same bytes claimed to hold more rows than they do.
      const attempt = (): Vector => codec.decode(bytes.subarray(0, bytes.length - 1), 'i32', 4);
      try {
        attempt();
      } catch (e) {
        expect(e).toBeInstanceOf(StorageError);
        expect((e as StorageError).code).toBe('CORRUPT');
        continue;
      }
      throw new Error(`${codec.id} decoded a truncated block without complaint`);
    }
  });
});
