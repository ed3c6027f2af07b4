/**
 * TPC-H comment text (clause 4.2.2.10): dbgen generates one large pool of
 * pseudo-English from a small grammar over fixed word lists, and every comment
 * column takes a random substring of it. We build the same 300 MiB pool with
 * the same generator and seed, so comments match dbgen's byte for byte. The pool
 * is built once per process (about a second or two) and kept: every table's
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

let cached: Buffer | undefined;

/** The shared comment text pool (ASCII, exactly TEXT_POOL_SIZE bytes). */
export function textPool(): Buffer {
  cached ??= buildTextPool(TEXT_POOL_SIZE);
  return cached;
}

/** Drops the cached pool so its memory can be reclaimed (the next use rebuilds it). */
export function releaseTextPool(): void {
  cached = undefined;
}

/** A weighted word list flattened for the pool builder: table[r] -> encoded word. */
interface WordTable {
  readonly total: number;
  readonly table: readonly Uint8Array[];
}

function wordTable(d: Dist): WordTable {
  const words = d.values.map((v) => Buffer.from(v, 'latin1'));
  const table: Uint8Array[] = [];
  let prev = 0;
  d.cumulative.forEach((c, i) => {
    for (let k = prev; k < c; k++) table.push(words[i]!);
    prev = c;
  });
  return { total: d.totalWeight, table };
}

/** Syntax strings pre-split into their token characters, as a weighted table. */
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

/**
 * Builds the pool exactly as dbgen does: sentences from GRAMMAR until the pool
 * is full, then truncated to `size`. One random stream feeds every pick.
 */
export function buildTextPool(size: number): Buffer {
  const out = Buffer.allocUnsafe(size + MAX_SENTENCE_LENGTH);
  const rnd = new RowStream(TEXT_POOL_SEED, Number.MAX_SAFE_INTEGER);
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
  let len = 0;

  // draws an index in [0, total) exactly like RowStream.nextInt(0, total - 1)
  const draw = (total: number): number => {
    rnd.nextRand();
    return Math.trunc((rnd.seed / PM_MODULUS) * total);
  };
  const append = (w: Uint8Array): void => {
    for (let i = 0; i < w.length; i++) out[len++] = w[i]!;
  };
  const pickWord = (t: WordTable): void => {
    append(t.table[draw(t.total)]!);
  };

  const nounPhrase = (): void => {
    const syntax = np.table[draw(np.total)]!;
    for (let i = 0; i < syntax.length; i++) {
      switch (syntax.charCodeAt(i)) {
        case 0x41: // A
          pickWord(articles);
          break;
        case 0x4a: // J
          pickWord(adjectives);
          break;
        case 0x44: // D
          pickWord(adverbs);
          break;
        case 0x4e: // N
          pickWord(nouns);
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
          pickWord(adverbs);
          break;
        case 0x56: // V
          pickWord(verbs);
          break;
        default: // X
          pickWord(auxiliaries);
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
          pickWord(prepositions);
          out[len++] = SPACE;
          out[len++] = 0x74; // t
          out[len++] = 0x68; // h
          out[len++] = 0x65; // e
          out[len++] = SPACE;
          nounPhrase();
          break;
        default: // T: the terminator abuts the previous word
          len--;
          pickWord(terminators);
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
    private readonly pool: Buffer,
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
    return this.pool.toString('latin1', offset, offset + length);
  }

  rowFinished(): void {
    this.stream.rowFinished();
  }
}
