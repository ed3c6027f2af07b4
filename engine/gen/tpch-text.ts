/**
 * TPC-H comment text (clause 4.2.2.10): dbgen generates one large pool of
 * pseudo-English from a small grammar over fixed word lists, and every comment
 * column takes a random substring of it. We build the same 300 MiB pool with
 * the same generator and seed, so comments match dbgen's byte for byte. The pool
 * is built once per process (2–3 s) and kept: every table's
 * comments index into all of it, at any scale factor.
 */
import { PM_MODULUS, RowStream } from './random.js';
import {
  ADJECTIVES,
  ADVERBS,
  ARTICLES,
  AUXILIARIES,
  Dist,
  GRAMMAR,
  NOUN_PHRASES,
  NOUNS,
  PREPOSITIONS,
  TERMINATORS,
  VERB_PHRASES,
  VERBS,
} from './tpch-dists.js';

export const TEXT_POOL_SIZE = 300 * 1024 * 1024;
const MAX_SENTENCE_LENGTH = 256;
const TEXT_POOL_SEED = 933588178;

let cached: string | undefined;

/**
 * The shared comment text pool (ASCII, exactly TEXT_POOL_SIZE characters), as one
 * string: comments are substrings of it, which V8 creates in O(1).
 */
export function textPool(): string {
  cached ??= buildTextPool(TEXT_POOL_SIZE).toString('latin1');
  return cached;
}

/**
 * Drops the cached pool. Its memory is reclaimed once no generated comment
 * string (which may share the pool's storage) is reachable any more.
 */
export function releaseTextPool(): void {
  cached = undefined;
}

/** A weighted word list flattened for the pool builder. */
interface WordTable {
  readonly total: number;
  /** Per weight slot: offset and length of the word in `bytes`. */
  readonly start: Int32Array;
  readonly length: Uint8Array;
  readonly bytes: Uint8Array;
}

function wordTable(d: Dist): WordTable {
  const encoded = d.values.map((v) => Buffer.from(v, 'latin1'));
  const offsets: number[] = [];
  let at = 0;
  for (const e of encoded) {
    offsets.push(at);
    at += e.length;
  }
  const bytes = new Uint8Array(at);
  encoded.forEach((e, i) => bytes.set(e, offsets[i]));
  const start = new Int32Array(d.totalWeight);
  const length = new Uint8Array(d.totalWeight);
  let prev = 0;
  d.cumulative.forEach((c, i) => {
    for (let k = prev; k < c; k++) {
      start[k] = offsets[i]!;
      length[k] = encoded[i]!.length;
    }
    prev = c;
  });
  return { total: d.totalWeight, start, length, bytes };
}

/** A weighted list of phrase forms, each form as its token letters. */
interface SyntaxTable {
  readonly total: number;
  readonly table: readonly string[];
}

function syntaxTable(d: Dist): SyntaxTable {
  const table: string[] = [];
  let prev = 0;
  d.cumulative.forEach((c, i) => {
    for (let k = prev; k < c; k++) table.push(d.values[i]!);
    prev = c;
  });
  return { total: d.totalWeight, table };
}

const TWO31 = 2147483648;

/**
 * Builds the pool exactly as dbgen does: sentences from GRAMMAR until the pool
 * is full, then truncated to `size`. One Park–Miller stream (the same
 * arithmetic as RowStream.nextInt, inlined) feeds every pick.
 */
export function buildTextPool(size: number): Buffer {
  const out = Buffer.allocUnsafe(size + MAX_SENTENCE_LENGTH);
  const grammar = syntaxTable(GRAMMAR);
  const np = syntaxTable(NOUN_PHRASES);
  const vp = syntaxTable(VERB_PHRASES);
  const nouns = wordTable(NOUNS);
  const verbs = wordTable(VERBS);
  const adjectives = wordTable(ADJECTIVES);
  const adverbs = wordTable(ADVERBS);
  const articles = wordTable(ARTICLES);
  const auxiliaries = wordTable(AUXILIARIES);
  const prepositions = wordTable(PREPOSITIONS);
  const terminators = wordTable(TERMINATORS);
  const SPACE = 0x20;
  let seed = TEXT_POOL_SEED;
  let len = 0;

  /** An index in [0, total): one draw, mapped as RowStream.nextInt(0, total - 1). */
  const draw = (total: number): number => {
    const p = seed * 16807;
    const hi = Math.floor(p / TWO31);
    let r = hi + (p - hi * TWO31);
    if (r >= PM_MODULUS) r -= PM_MODULUS;
    seed = r;
    return Math.trunc((r / PM_MODULUS) * total);
  };
  /** Appends a weighted random word. */
  const word = (t: WordTable): void => {
    const k = draw(t.total);
    const bytes = t.bytes;
    let from = t.start[k]!;
    const end = from + t.length[k]!;
    let at = len;
    while (from < end) out[at++] = bytes[from++]!;
    len = at;
  };

  const nounPhrase = (): void => {
    const syntax = np.table[draw(np.total)]!;
    for (let i = 0; i < syntax.length; i++) {
      switch (syntax.charCodeAt(i)) {
        case 0x41: // A
          word(articles);
          break;
        case 0x4a: // J
          word(adjectives);
          break;
        case 0x44: // D
          word(adverbs);
          break;
        case 0x4e: // N
          word(nouns);
          break;
        case 0x2c: // ',' replaces the blank after the previous word
          out[len - 1] = 0x2c;
          out[len++] = SPACE;
          continue;
        default: // blank
          continue;
      }
      out[len++] = SPACE;
    }
  };

  const verbPhrase = (): void => {
    const syntax = vp.table[draw(vp.total)]!;
    for (let i = 0; i < syntax.length; i += 2) {
      switch (syntax.charCodeAt(i)) {
        case 0x44: // D
          word(adverbs);
          break;
        case 0x56: // V
          word(verbs);
          break;
        default: // X
          word(auxiliaries);
          break;
      }
      out[len++] = SPACE;
    }
  };

  while (len < size) {
    const syntax = grammar.table[draw(grammar.total)]!;
    for (let i = 0; i < syntax.length; i += 2) {
      switch (syntax.charCodeAt(i)) {
        case 0x56: // V
          verbPhrase();
          break;
        case 0x4e: // N
          nounPhrase();
          break;
        case 0x50: // P
          word(prepositions);
          out[len++] = SPACE;
          out[len++] = 0x74; // t
          out[len++] = 0x68; // h
          out[len++] = 0x65; // e
          out[len++] = SPACE;
          nounPhrase();
          break;
        default: // T: the terminator abuts the previous word
          len--;
          word(terminators);
          break;
      }
      if (out[len - 1] !== SPACE) out[len++] = SPACE;
    }
  }
  return out.subarray(0, size);
}

/**
 * A comment column: each value is a substring of the pool with a random offset
 * and a random length in [0.4, 1.6] × the column's average length (two draws).
 */
export class RandomText {
  readonly stream: RowStream;
  readonly minLength: number;
  readonly maxLength: number;

  constructor(
    seed: number,
    private readonly pool: string,
    averageLength: number,
    valuesPerRow = 1,
  ) {
    this.stream = new RowStream(seed, 2 * valuesPerRow);
    this.minLength = Math.trunc(averageLength * 0.4);
    this.maxLength = Math.trunc(averageLength * 1.6);
  }

  next(): string {
    const offset = this.stream.nextInt(0, this.pool.length - this.maxLength);
    const length = this.stream.nextInt(this.minLength, this.maxLength);
    return this.pool.substring(offset, offset + length);
  }

  rowFinished(): void {
    this.stream.rowFinished();
  }
}
