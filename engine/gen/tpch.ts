/**
 * TPC-H data generator (specification v3, clause 4.2.3 "Test Database Data
 * Generation"), producing the eight tables in keel's physical batch form.
 *
 * With the default seed (0) the output is identical, row for row and byte for
 * byte, to the TPC's dbgen at the same scale factor: every column is drawn from
 * its own Park–Miller stream with dbgen's seed, advanced by dbgen's fixed number
 * of draws per row, and the comment text comes from the same generated text pool.
 * Any other seed re-seeds every column stream (the text pool's vocabulary and
 * all of the spec's rules stay the same), giving a different but equally valid
 * database.
 *
 * Tables are independent of each other (no table reads another's output): orders
 * re-draw their lines' quantities, prices and ship dates from the lineitem
 * streams to compute o_totalprice and o_orderstatus, exactly as dbgen does.
 */
import type { Batch, ColumnDef } from '../types.js';
import { parseDate } from '../types.js';
import { RowStream, streamSeed } from './random.js';
import {
  BATCH_ROWS,
  type GeneratedTable,
  INTEGER,
  DATE,
  MONEY,
  KeyInterner,
  char,
  col,
  createTableSql,
  dictVector,
  distinctVector,
  f64Vector,
  i32Vector,
  varchar,
} from './table.js';
import {
  COLORS,
  CONTAINERS,
  INSTRUCTIONS,
  NATIONS,
  PART_TYPES,
  PRIORITIES,
  REGIONS,
  RETURN_FLAGS,
  SEGMENTS,
  SHIP_MODES,
} from './tpch-dists.js';
import { RandomText, textPool } from './tpch-text.js';

// ---------------------------------------------------------------------------
// Constants of the specification (clause 4.2.3) and of dbgen
// ---------------------------------------------------------------------------

const SUPPLIERS_PER_SF = 10_000;
const PARTS_PER_SF = 200_000;
const CUSTOMERS_PER_SF = 150_000;
const ORDERS_PER_SF = 1_500_000;
const SUPPLIERS_PER_PART = 4;
const CLERKS_PER_SF = 1000;

/** STARTDATE 1992-01-01 and CURRENTDATE 1995-06-17, as days since 1970-01-01. */
const START_DATE = parseDate('1992-01-01');
const CURRENT_DATE = parseDate('1995-06-17');
/** ENDDATE (1998-12-31) is START_DATE + 2556; orders stop 151 days (121 + 30) before it. */
const TOTAL_DATE_RANGE = 2557;
const SHIP_DAYS_MAX = 121;
const RECEIPT_DAYS_MAX = 30;
const ORDER_DATE_SPAN = TOTAL_DATE_RANGE - (SHIP_DAYS_MAX + RECEIPT_DAYS_MAX) - 1; // offsets 0..2405

/** Largest scale factor whose keys still fit INTEGER (o_orderkey reaches 6,000,000 × SF). */
export const TPCH_MAX_SCALE_FACTOR = 300;

// dbgen's per-column stream seeds
const SEED = {
  nationComment: 606179079,
  regionComment: 1500869201,
  partName: 709314158,
  partMfgr: 1,
  partBrand: 46831694,
  partType: 1841581359,
  partSize: 1193163244,
  partContainer: 727633698,
  partComment: 804159733,
  suppAddress: 706178559,
  suppNation: 110356601,
  suppPhone: 884434366,
  suppAcctbal: 962338209,
  suppComment: 1341315363,
  suppBbb: 202794285,
  suppBbbJunk: 263032577,
  suppBbbOffset: 715851524,
  suppBbbType: 753643799,
  psAvailqty: 1671059989,
  psSupplycost: 1051288424,
  psComment: 1961692154,
  custAddress: 881155353,
  custNation: 1489529863,
  custPhone: 1521138112,
  custAcctbal: 298370230,
  custSegment: 1140279430,
  custComment: 1335826707,
  orderDate: 1066728069,
  orderLineCount: 1434868289,
  orderCustkey: 851767375,
  orderPriority: 591449447,
  orderClerk: 1171034773,
  orderComment: 276090261,
  lineQuantity: 209208115,
  lineDiscount: 554590007,
  lineTax: 721958466,
  linePartkey: 1808217256,
  lineSuppNumber: 2095021727,
  lineShipDate: 1769349045,
  lineCommitDate: 904914315,
  lineReceiptDate: 373135028,
  lineReturnFlag: 717419739,
  lineInstruct: 1371272478,
  lineShipMode: 675466456,
  lineComment: 1095462486,
} as const;

const MAX_LINES = 7;

// ---------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------

const NATION_COLUMNS: readonly ColumnDef[] = [
  col('n_nationkey', INTEGER),
  col('n_name', char(25)),
  col('n_regionkey', INTEGER),
  col('n_comment', varchar(152), false),
];
const REGION_COLUMNS: readonly ColumnDef[] = [
  col('r_regionkey', INTEGER),
  col('r_name', char(25)),
  col('r_comment', varchar(152), false),
];
const PART_COLUMNS: readonly ColumnDef[] = [
  col('p_partkey', INTEGER),
  col('p_name', varchar(55)),
  col('p_mfgr', char(25)),
  col('p_brand', char(10)),
  col('p_type', varchar(25)),
  col('p_size', INTEGER),
  col('p_container', char(10)),
  col('p_retailprice', MONEY),
  col('p_comment', varchar(23)),
];
const SUPPLIER_COLUMNS: readonly ColumnDef[] = [
  col('s_suppkey', INTEGER),
  col('s_name', char(25)),
  col('s_address', varchar(40)),
  col('s_nationkey', INTEGER),
  col('s_phone', char(15)),
  col('s_acctbal', MONEY),
  col('s_comment', varchar(101)),
];
const PARTSUPP_COLUMNS: readonly ColumnDef[] = [
  col('ps_partkey', INTEGER),
  col('ps_suppkey', INTEGER),
  col('ps_availqty', INTEGER),
  col('ps_supplycost', MONEY),
  col('ps_comment', varchar(199)),
];
const CUSTOMER_COLUMNS: readonly ColumnDef[] = [
  col('c_custkey', INTEGER),
  col('c_name', varchar(25)),
  col('c_address', varchar(40)),
  col('c_nationkey', INTEGER),
  col('c_phone', char(15)),
  col('c_acctbal', MONEY),
  col('c_mktsegment', char(10)),
  col('c_comment', varchar(117)),
];
const ORDERS_COLUMNS: readonly ColumnDef[] = [
  col('o_orderkey', INTEGER),
  col('o_custkey', INTEGER),
  col('o_orderstatus', char(1)),
  col('o_totalprice', MONEY),
  col('o_orderdate', DATE),
  col('o_orderpriority', char(15)),
  col('o_clerk', char(15)),
  col('o_shippriority', INTEGER),
  col('o_comment', varchar(79)),
];
const LINEITEM_COLUMNS: readonly ColumnDef[] = [
  col('l_orderkey', INTEGER),
  col('l_partkey', INTEGER),
  col('l_suppkey', INTEGER),
  col('l_linenumber', INTEGER),
  col('l_quantity', MONEY),
  col('l_extendedprice', MONEY),
  col('l_discount', MONEY),
  col('l_tax', MONEY),
  col('l_returnflag', char(1)),
  col('l_linestatus', char(1)),
  col('l_shipdate', DATE),
  col('l_commitdate', DATE),
  col('l_receiptdate', DATE),
  col('l_shipinstruct', char(25)),
  col('l_shipmode', char(10)),
  col('l_comment', varchar(44)),
];

// ---------------------------------------------------------------------------
// Rules shared by several tables
// ---------------------------------------------------------------------------

/** Row counts and derived constants for one (scale factor, seed). */
interface Scale {
  readonly sf: number;
  readonly seed: number;
  readonly suppliers: number;
  readonly parts: number;
  readonly customers: number;
  readonly orders: number;
  readonly clerks: number;
  /** PS_SUPPKEY of a part's i-th supplier (the spec's formula, made collision-free where needed). */
  readonly supplierOf: (partKey: number, i: number) => number;
}

function scale(sf: number, seed: number): Scale {
  const suppliers = Math.trunc(SUPPLIERS_PER_SF * sf);
  const parts = Math.trunc(PARTS_PER_SF * sf);
  const distinct = supplierFormulaCollides(parts, suppliers);
  return {
    sf,
    seed,
    suppliers,
    parts,
    customers: Math.trunc(CUSTOMERS_PER_SF * sf),
    orders: Math.trunc(ORDERS_PER_SF * sf),
    clerks: Math.max(Math.trunc(CLERKS_PER_SF * sf), CLERKS_PER_SF),
    supplierOf: distinct
      ? (pk, i) => partSupplierDistinct(pk, i, suppliers)
      : (pk, i) => partSupplier(pk, i, suppliers),
  };
}

/** P_RETAILPRICE in cents: (90000 + ((key/10) modulo 20001) + 100 * (key modulo 1000)) / 100. */
export function partPrice(partKey: number): number {
  return 90000 + (Math.floor(partKey / 10) % 20001) + (partKey % 1000) * 100;
}

/** PS_SUPPKEY of a part's i-th supplier (i in 0..3), clause 4.2.3. */
export function partSupplier(partKey: number, i: number, suppliers: number): number {
  return ((partKey + i * (Math.floor(suppliers / 4) + Math.floor((partKey - 1) / suppliers))) % suppliers) + 1;
}

/**
 * Whether the spec's PS_SUPPKEY formula gives some part the same supplier twice.
 * The step between a part's suppliers is S/4 + (partkey-1)/S, which can divide S
 * (or 2S, 3S) only when S <= 228: e.g. SF 0.005 and 0.001, never SF >= 0.023 and
 * not SF 0.01. dbgen then emits duplicate (ps_partkey, ps_suppkey) pairs.
 */
function supplierFormulaCollides(parts: number, suppliers: number): boolean {
  const q = Math.floor(suppliers / 4);
  for (let j = 0; j <= Math.floor((parts - 1) / suppliers); j++) {
    const step = q + j;
    for (let k = 1; k < SUPPLIERS_PER_PART; k++) if ((k * step) % suppliers === 0) return true;
  }
  return false;
}

/**
 * PS_SUPPKEY where the formula collides: a repeated supplier moves on to the
 * next supplier key (cyclically) not yet used by the part, so the four stay
 * distinct. Lineitem uses the same function, so its pairs stay in partsupp.
 */
function partSupplierDistinct(partKey: number, i: number, suppliers: number): number {
  let used0 = 0;
  let used1 = 0;
  let used2 = 0;
  let key = 0;
  for (let j = 0; j <= i; j++) {
    key = partSupplier(partKey, j, suppliers);
    while ((j > 0 && key === used0) || (j > 1 && key === used1) || (j > 2 && key === used2)) key = (key % suppliers) + 1;
    if (j === 0) used0 = key;
    else if (j === 1) used1 = key;
    else used2 = key;
  }
  return key;
}

/** The sparse order key of the n-th order (1-based): only the first 8 of every 32 keys are used. */
export function orderKey(n: number): number {
  return Math.floor(n / 8) * 32 + (n % 8);
}

const pad9 = (n: number): string => String(n).padStart(9, '0');

const ALPHANUMERIC = '0123456789abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ,';

/** Random v-string (addresses): length in [0.4, 1.6] × average, 6 bits per character, 9 draws a row. */
function randomAlphaNumeric(s: RowStream, minLength: number, maxLength: number): string {
  const length = s.nextInt(minLength, maxLength);
  let out = '';
  let bits = 0;
  for (let i = 0; i < length; i++) {
    if (i % 5 === 0) bits = s.nextInt(0, 2147483647); // wraps negative, as in dbgen
    out += ALPHANUMERIC[bits & 0x3f];
    bits >>= 6;
  }
  return out;
}

/** Phone number: country code 10 + nation key, then three random local parts (3 draws a row). */
function randomPhone(s: RowStream, nationKey: number): string {
  const a = s.nextInt(100, 999);
  const b = s.nextInt(100, 999);
  const c = s.nextInt(1000, 9999);
  return `${10 + (nationKey % 90)}-${a}-${b}-${c}`;
}

/** Streams for the line-level columns that orders and lineitem both need. */
class LineStreams {
  readonly quantity: RowStream;
  readonly discount: RowStream;
  readonly tax: RowStream;
  readonly partKey: RowStream;
  readonly shipDate: RowStream;

  constructor(seed: number) {
    this.quantity = new RowStream(streamSeed(SEED.lineQuantity, seed), MAX_LINES);
    this.discount = new RowStream(streamSeed(SEED.lineDiscount, seed), MAX_LINES);
    this.tax = new RowStream(streamSeed(SEED.lineTax, seed), MAX_LINES);
    this.partKey = new RowStream(streamSeed(SEED.linePartkey, seed), MAX_LINES);
    this.shipDate = new RowStream(streamSeed(SEED.lineShipDate, seed), MAX_LINES);
  }

  rowFinished(): void {
    this.quantity.rowFinished();
    this.discount.rowFinished();
    this.tax.rowFinished();
    this.partKey.rowFinished();
    this.shipDate.rowFinished();
  }
}

/** Number of lineitem rows: the sum of every order's line count (1..7, uniform). */
function countLineitems(sc: Scale): number {
  const lines = new RowStream(streamSeed(SEED.orderLineCount, sc.seed), 1);
  let total = 0;
  for (let i = 0; i < sc.orders; i++) total += lines.nextInt(1, MAX_LINES);
  return total;
}

function* chunks(total: number): Generator<[start: number, count: number]> {
  for (let start = 0; start < total; start += BATCH_ROWS) yield [start, Math.min(BATCH_ROWS, total - start)];
}

// ---------------------------------------------------------------------------
// The tables
// ---------------------------------------------------------------------------

const NATION_NAMES = NATIONS.map((n) => n[0]);

function* nationBatches(sc: Scale): Generator<Batch> {
  const comment = new RandomText(streamSeed(SEED.nationComment, sc.seed), textPool(), 72);
  const n = NATIONS.length;
  const keys = new Int32Array(n);
  const names = new Uint32Array(n);
  const regions = new Int32Array(n);
  const comments: string[] = [];
  for (let i = 0; i < n; i++) {
    keys[i] = i;
    names[i] = i;
    regions[i] = NATIONS[i]![1];
    comments.push(comment.next());
    comment.rowFinished();
  }
  yield {
    length: n,
    columns: [i32Vector(keys, n), dictVector(names, n, NATION_NAMES), i32Vector(regions, n), distinctVector(comments)],
  };
}

function* regionBatches(sc: Scale): Generator<Batch> {
  const comment = new RandomText(streamSeed(SEED.regionComment, sc.seed), textPool(), 72);
  const n = REGIONS.length;
  const keys = new Int32Array(n);
  const names = new Uint32Array(n);
  const comments: string[] = [];
  for (let i = 0; i < n; i++) {
    keys[i] = i;
    names[i] = i;
    comments.push(comment.next());
    comment.rowFinished();
  }
  yield { length: n, columns: [i32Vector(keys, n), dictVector(names, n, REGIONS), distinctVector(comments)] };
}

const MFGR_DICT = [1, 2, 3, 4, 5].map((m) => `Manufacturer#${m}`);
const BRAND_DICT = [1, 2, 3, 4, 5].flatMap((m) => [1, 2, 3, 4, 5].map((b) => `Brand#${m}${b}`));
const NAME_WORDS = 5;

function* partBatches(sc: Scale): Generator<Batch> {
  const s = sc.seed;
  const nameR = new RowStream(streamSeed(SEED.partName, s), COLORS.size);
  const mfgrR = new RowStream(streamSeed(SEED.partMfgr, s), 1);
  const brandR = new RowStream(streamSeed(SEED.partBrand, s), 1);
  const typeR = new RowStream(streamSeed(SEED.partType, s), 1);
  const sizeR = new RowStream(streamSeed(SEED.partSize, s), 1);
  const containerR = new RowStream(streamSeed(SEED.partContainer, s), 1);
  const commentR = new RandomText(streamSeed(SEED.partComment, s), textPool(), 14);
  const colors = COLORS.values;
  const nColors = colors.length;
  const perm = new Uint8Array(nColors).map((_, i) => i);
  const swaps = new Uint8Array(NAME_WORDS);

  for (const [start, n] of chunks(sc.parts)) {
    const key = new Int32Array(n);
    const name: string[] = new Array<string>(n);
    const mfgr = new Uint32Array(n);
    const brand = new Uint32Array(n);
    const type = new Uint32Array(n);
    const size = new Int32Array(n);
    const container = new Uint32Array(n);
    const price = new Float64Array(n);
    const comment: string[] = new Array<string>(n);
    for (let r = 0; r < n; r++) {
      const pk = start + r + 1;
      key[r] = pk;
      // P_NAME: 5 distinct colors, a partial shuffle of the 92-word list
      for (let w = 0; w < NAME_WORDS; w++) {
        const j = nameR.nextInt(w, nColors - 1);
        swaps[w] = j;
        const t = perm[w]!;
        perm[w] = perm[j]!;
        perm[j] = t;
      }
      name[r] = `${colors[perm[0]!]} ${colors[perm[1]!]} ${colors[perm[2]!]} ${colors[perm[3]!]} ${colors[perm[4]!]}`;
      for (let w = NAME_WORDS - 1; w >= 0; w--) {
        const j = swaps[w]!;
        const t = perm[w]!;
        perm[w] = perm[j]!;
        perm[j] = t;
      }
      const m = mfgrR.nextInt(1, 5);
      mfgr[r] = m - 1;
      brand[r] = (m - 1) * 5 + brandR.nextInt(1, 5) - 1;
      type[r] = PART_TYPES.pick(typeR);
      size[r] = sizeR.nextInt(1, 50);
      container[r] = CONTAINERS.pick(containerR);
      price[r] = partPrice(pk);
      comment[r] = commentR.next();
      nameR.rowFinished();
      mfgrR.rowFinished();
      brandR.rowFinished();
      typeR.rowFinished();
      sizeR.rowFinished();
      containerR.rowFinished();
      commentR.rowFinished();
    }
    yield {
      length: n,
      columns: [
        i32Vector(key, n),
        distinctVector(name),
        dictVector(mfgr, n, MFGR_DICT),
        dictVector(brand, n, BRAND_DICT),
        dictVector(type, n, PART_TYPES.values),
        i32Vector(size, n),
        dictVector(container, n, CONTAINERS.values),
        f64Vector(price, n),
        distinctVector(comment),
      ],
    };
  }
}

const BBB_BASE = 'Customer ';
const BBB_COMPLAINT = 'Complaints';
const BBB_RECOMMEND = 'Recommends';
const BBB_LENGTH = BBB_BASE.length + BBB_COMPLAINT.length;

function* supplierBatches(sc: Scale): Generator<Batch> {
  const s = sc.seed;
  const addressR = new RowStream(streamSeed(SEED.suppAddress, s), 9);
  const nationR = new RowStream(streamSeed(SEED.suppNation, s), 1);
  const phoneR = new RowStream(streamSeed(SEED.suppPhone, s), 3);
  const acctbalR = new RowStream(streamSeed(SEED.suppAcctbal, s), 1);
  const commentR = new RandomText(streamSeed(SEED.suppComment, s), textPool(), 63);
  const bbbR = new RowStream(streamSeed(SEED.suppBbb, s), 1);
  const bbbJunkR = new RowStream(streamSeed(SEED.suppBbbJunk, s), 1);
  const bbbOffsetR = new RowStream(streamSeed(SEED.suppBbbOffset, s), 1);
  const bbbTypeR = new RowStream(streamSeed(SEED.suppBbbType, s), 1);

  for (const [start, n] of chunks(sc.suppliers)) {
    const key = new Int32Array(n);
    const name: string[] = new Array<string>(n);
    const address: string[] = new Array<string>(n);
    const nation = new Int32Array(n);
    const phone: string[] = new Array<string>(n);
    const acctbal = new Float64Array(n);
    const comment: string[] = new Array<string>(n);
    for (let r = 0; r < n; r++) {
      const sk = start + r + 1;
      key[r] = sk;
      name[r] = `Supplier#${pad9(sk)}`;
      let text = commentR.next();
      // Better Business Bureau comments: 10 suppliers in every 10,000 (SF × 5
      // "Customer ... Complaints" and SF × 5 "Customer ... Recommends" on average)
      if (bbbR.nextInt(1, SUPPLIERS_PER_SF) <= 10) {
        const noise = bbbJunkR.nextInt(0, text.length - BBB_LENGTH);
        const offset = bbbOffsetR.nextInt(0, text.length - (BBB_LENGTH + noise));
        const kind = bbbTypeR.nextInt(0, 100) < 50 ? BBB_COMPLAINT : BBB_RECOMMEND;
        text = text.slice(0, offset) + BBB_BASE + text.slice(offset + BBB_BASE.length);
        const at = offset + BBB_BASE.length + noise;
        text = text.slice(0, at) + kind + text.slice(at + kind.length);
      }
      comment[r] = text;
      const nk = nationR.nextInt(0, NATIONS.length - 1);
      nation[r] = nk;
      address[r] = randomAlphaNumeric(addressR, 10, 40);
      phone[r] = randomPhone(phoneR, nk);
      acctbal[r] = acctbalR.nextInt(-99999, 999999);
      addressR.rowFinished();
      nationR.rowFinished();
      phoneR.rowFinished();
      acctbalR.rowFinished();
      commentR.rowFinished();
      bbbR.rowFinished();
      bbbJunkR.rowFinished();
      bbbOffsetR.rowFinished();
      bbbTypeR.rowFinished();
    }
    yield {
      length: n,
      columns: [
        i32Vector(key, n),
        distinctVector(name),
        distinctVector(address),
        i32Vector(nation, n),
        distinctVector(phone),
        f64Vector(acctbal, n),
        distinctVector(comment),
      ],
    };
  }
}

function* partsuppBatches(sc: Scale): Generator<Batch> {
  const s = sc.seed;
  const availR = new RowStream(streamSeed(SEED.psAvailqty, s), SUPPLIERS_PER_PART);
  const costR = new RowStream(streamSeed(SEED.psSupplycost, s), SUPPLIERS_PER_PART);
  const commentR = new RandomText(streamSeed(SEED.psComment, s), textPool(), 124, SUPPLIERS_PER_PART);
  const supplierOf = sc.supplierOf;
  // BATCH_ROWS is a multiple of 4, so a part's four rows never straddle batches
  for (const [start, n] of chunks(sc.parts * SUPPLIERS_PER_PART)) {
    const partKey = new Int32Array(n);
    const suppKey = new Int32Array(n);
    const avail = new Int32Array(n);
    const cost = new Float64Array(n);
    const comment: string[] = new Array<string>(n);
    for (let r = 0; r < n; r += SUPPLIERS_PER_PART) {
      const pk = (start + r) / SUPPLIERS_PER_PART + 1;
      for (let i = 0; i < SUPPLIERS_PER_PART; i++) {
        partKey[r + i] = pk;
        suppKey[r + i] = supplierOf(pk, i);
        avail[r + i] = availR.nextInt(1, 9999);
        cost[r + i] = costR.nextInt(100, 100000);
        comment[r + i] = commentR.next();
      }
      availR.rowFinished();
      costR.rowFinished();
      commentR.rowFinished();
    }
    yield {
      length: n,
      columns: [
        i32Vector(partKey, n),
        i32Vector(suppKey, n),
        i32Vector(avail, n),
        f64Vector(cost, n),
        distinctVector(comment),
      ],
    };
  }
}

function* customerBatches(sc: Scale): Generator<Batch> {
  const s = sc.seed;
  const addressR = new RowStream(streamSeed(SEED.custAddress, s), 9);
  const nationR = new RowStream(streamSeed(SEED.custNation, s), 1);
  const phoneR = new RowStream(streamSeed(SEED.custPhone, s), 3);
  const acctbalR = new RowStream(streamSeed(SEED.custAcctbal, s), 1);
  const segmentR = new RowStream(streamSeed(SEED.custSegment, s), 1);
  const commentR = new RandomText(streamSeed(SEED.custComment, s), textPool(), 73);

  for (const [start, n] of chunks(sc.customers)) {
    const key = new Int32Array(n);
    const name: string[] = new Array<string>(n);
    const address: string[] = new Array<string>(n);
    const nation = new Int32Array(n);
    const phone: string[] = new Array<string>(n);
    const acctbal = new Float64Array(n);
    const segment = new Uint32Array(n);
    const comment: string[] = new Array<string>(n);
    for (let r = 0; r < n; r++) {
      const ck = start + r + 1;
      key[r] = ck;
      name[r] = `Customer#${pad9(ck)}`;
      const nk = nationR.nextInt(0, NATIONS.length - 1);
      nation[r] = nk;
      address[r] = randomAlphaNumeric(addressR, 10, 40);
      phone[r] = randomPhone(phoneR, nk);
      acctbal[r] = acctbalR.nextInt(-99999, 999999);
      segment[r] = SEGMENTS.pick(segmentR);
      comment[r] = commentR.next();
      addressR.rowFinished();
      nationR.rowFinished();
      phoneR.rowFinished();
      acctbalR.rowFinished();
      segmentR.rowFinished();
      commentR.rowFinished();
    }
    yield {
      length: n,
      columns: [
        i32Vector(key, n),
        distinctVector(name),
        distinctVector(address),
        i32Vector(nation, n),
        distinctVector(phone),
        f64Vector(acctbal, n),
        dictVector(segment, n, SEGMENTS.values),
        distinctVector(comment),
      ],
    };
  }
}

const ORDER_STATUS_DICT = ['F', 'O', 'P'];
const STATUS_F = 0;
const STATUS_O = 1;
const STATUS_P = 2;

function* ordersBatches(sc: Scale): Generator<Batch> {
  const s = sc.seed;
  const dateR = new RowStream(streamSeed(SEED.orderDate, s), 1);
  const lineCountR = new RowStream(streamSeed(SEED.orderLineCount, s), 1);
  const custR = new RowStream(streamSeed(SEED.orderCustkey, s), 1);
  const priorityR = new RowStream(streamSeed(SEED.orderPriority, s), 1);
  const clerkR = new RowStream(streamSeed(SEED.orderClerk, s), 1);
  const commentR = new RandomText(streamSeed(SEED.orderComment, s), textPool(), 49);
  const line = new LineStreams(s);
  const { customers, parts, clerks } = sc;
  const clerkNames = new KeyInterner(clerks, (k) => `Clerk#${pad9(k)}`);

  for (const [start, n] of chunks(sc.orders)) {
    const key = new Int32Array(n);
    const cust = new Int32Array(n);
    const status = new Uint32Array(n);
    const total = new Float64Array(n);
    const date = new Int32Array(n);
    const priority = new Uint32Array(n);
    const shipPriority = new Int32Array(n);
    const comment: string[] = new Array<string>(n);
    for (let r = 0; r < n; r++) {
      key[r] = orderKey(start + r + 1);
      const orderDate = START_DATE + dateR.nextInt(0, ORDER_DATE_SPAN);
      date[r] = orderDate;
      // O_CUSTKEY: customers whose key is a multiple of 3 place no orders
      let ck = custR.nextInt(1, customers);
      let delta = 1;
      while (ck % 3 === 0) {
        ck = Math.min(ck + delta, customers);
        delta = -delta;
      }
      cust[r] = ck;
      // O_TOTALPRICE and O_ORDERSTATUS from the order's lines (truncating per line, as dbgen)
      const lines = lineCountR.nextInt(1, MAX_LINES);
      let sum = 0;
      let shipped = 0;
      for (let l = 0; l < lines; l++) {
        const quantity = line.quantity.nextInt(1, 50);
        const discount = line.discount.nextInt(0, 10);
        const tax = line.tax.nextInt(0, 8);
        const pk = line.partKey.nextInt(1, parts);
        const extended = partPrice(pk) * quantity;
        sum += Math.floor((Math.floor((extended * (100 - discount)) / 100) * (100 + tax)) / 100);
        if (orderDate + line.shipDate.nextInt(1, SHIP_DAYS_MAX) <= CURRENT_DATE) shipped++;
      }
      total[r] = sum;
      status[r] = shipped === lines ? STATUS_F : shipped > 0 ? STATUS_P : STATUS_O;
      priority[r] = PRIORITIES.pick(priorityR);
      clerkNames.add(clerkR.nextInt(1, clerks));
      comment[r] = commentR.next();
      dateR.rowFinished();
      lineCountR.rowFinished();
      custR.rowFinished();
      priorityR.rowFinished();
      clerkR.rowFinished();
      commentR.rowFinished();
      line.rowFinished();
    }
    yield {
      length: n,
      columns: [
        i32Vector(key, n),
        i32Vector(cust, n),
        dictVector(status, n, ORDER_STATUS_DICT),
        f64Vector(total, n),
        i32Vector(date, n),
        dictVector(priority, n, PRIORITIES.values),
        clerkNames.flush(),
        i32Vector(shipPriority, n),
        distinctVector(comment),
      ],
    };
  }
}

const RETURN_FLAG_DICT = [...RETURN_FLAGS.values, 'N']; // R, A, N
const FLAG_N = 2;
const LINE_STATUS_DICT = ['O', 'F'];

function* lineitemBatches(sc: Scale, totalRows: number): Generator<Batch> {
  const s = sc.seed;
  const dateR = new RowStream(streamSeed(SEED.orderDate, s), 1);
  const lineCountR = new RowStream(streamSeed(SEED.orderLineCount, s), 1);
  const line = new LineStreams(s);
  const suppNumberR = new RowStream(streamSeed(SEED.lineSuppNumber, s), MAX_LINES);
  const commitR = new RowStream(streamSeed(SEED.lineCommitDate, s), MAX_LINES);
  const receiptR = new RowStream(streamSeed(SEED.lineReceiptDate, s), MAX_LINES);
  const flagR = new RowStream(streamSeed(SEED.lineReturnFlag, s), MAX_LINES);
  const instructR = new RowStream(streamSeed(SEED.lineInstruct, s), MAX_LINES);
  const modeR = new RowStream(streamSeed(SEED.lineShipMode, s), MAX_LINES);
  const commentR = new RandomText(streamSeed(SEED.lineComment, s), textPool(), 27, MAX_LINES);
  const { parts, supplierOf } = sc;

  let emitted = 0;
  let n = 0;
  let cap = 0;
  let orderKeys!: Int32Array;
  let partKeys!: Int32Array;
  let suppKeys!: Int32Array;
  let lineNumbers!: Int32Array;
  let quantities!: Float64Array;
  let prices!: Float64Array;
  let discounts!: Float64Array;
  let taxes!: Float64Array;
  let flags!: Uint32Array;
  let statuses!: Uint32Array;
  let shipDates!: Int32Array;
  let commitDates!: Int32Array;
  let receiptDates!: Int32Array;
  let instructs!: Uint32Array;
  let modes!: Uint32Array;
  let comments!: string[];
  const allocate = (): void => {
    cap = Math.min(BATCH_ROWS, totalRows - emitted);
    n = 0;
    orderKeys = new Int32Array(cap);
    partKeys = new Int32Array(cap);
    suppKeys = new Int32Array(cap);
    lineNumbers = new Int32Array(cap);
    quantities = new Float64Array(cap);
    prices = new Float64Array(cap);
    discounts = new Float64Array(cap);
    taxes = new Float64Array(cap);
    flags = new Uint32Array(cap);
    statuses = new Uint32Array(cap);
    shipDates = new Int32Array(cap);
    commitDates = new Int32Array(cap);
    receiptDates = new Int32Array(cap);
    instructs = new Uint32Array(cap);
    modes = new Uint32Array(cap);
    comments = new Array<string>(cap);
  };
  const batch = (): Batch => ({
    length: n,
    columns: [
      i32Vector(orderKeys, n),
      i32Vector(partKeys, n),
      i32Vector(suppKeys, n),
      i32Vector(lineNumbers, n),
      f64Vector(quantities, n),
      f64Vector(prices, n),
      f64Vector(discounts, n),
      f64Vector(taxes, n),
      dictVector(flags, n, RETURN_FLAG_DICT),
      dictVector(statuses, n, LINE_STATUS_DICT),
      i32Vector(shipDates, n),
      i32Vector(commitDates, n),
      i32Vector(receiptDates, n),
      dictVector(instructs, n, INSTRUCTIONS.values),
      dictVector(modes, n, SHIP_MODES.values),
      distinctVector(comments.length === n ? comments : comments.slice(0, n)),
    ],
  });

  if (totalRows > 0) allocate();
  for (let o = 1; o <= sc.orders; o++) {
    const ok = orderKey(o);
    const orderDate = START_DATE + dateR.nextInt(0, ORDER_DATE_SPAN);
    const lines = lineCountR.nextInt(1, MAX_LINES);
    for (let l = 0; l < lines; l++) {
      const quantity = line.quantity.nextInt(1, 50);
      const pk = line.partKey.nextInt(1, parts);
      const shipDate = orderDate + line.shipDate.nextInt(1, SHIP_DAYS_MAX);
      const receiptDate = shipDate + receiptR.nextInt(1, RECEIPT_DAYS_MAX);
      orderKeys[n] = ok;
      partKeys[n] = pk;
      suppKeys[n] = supplierOf(pk, suppNumberR.nextInt(0, 3));
      lineNumbers[n] = l + 1;
      quantities[n] = quantity * 100;
      prices[n] = partPrice(pk) * quantity;
      discounts[n] = line.discount.nextInt(0, 10);
      taxes[n] = line.tax.nextInt(0, 8);
      flags[n] = receiptDate <= CURRENT_DATE ? RETURN_FLAGS.pick(flagR) : FLAG_N;
      statuses[n] = shipDate > CURRENT_DATE ? 0 : 1;
      shipDates[n] = shipDate;
      commitDates[n] = orderDate + commitR.nextInt(30, 90);
      receiptDates[n] = receiptDate;
      instructs[n] = INSTRUCTIONS.pick(instructR);
      modes[n] = SHIP_MODES.pick(modeR);
      comments[n] = commentR.next();
      if (++n === cap) {
        yield batch();
        emitted += n;
        if (emitted < totalRows) allocate();
      }
    }
    dateR.rowFinished();
    lineCountR.rowFinished();
    line.rowFinished();
    suppNumberR.rowFinished();
    commitR.rowFinished();
    receiptR.rowFinished();
    flagR.rowFinished();
    instructR.rowFinished();
    modeR.rowFinished();
    commentR.rowFinished();
  }
}

// ---------------------------------------------------------------------------
// Public entry point
// ---------------------------------------------------------------------------

function table(
  name: string,
  columns: readonly ColumnDef[],
  rows: () => number,
  batches: () => Iterable<Batch>,
): GeneratedTable {
  let count: number | undefined;
  return {
    name,
    ddl: createTableSql(name, columns),
    columns,
    get rows(): number {
      count ??= rows();
      return count;
    },
    batches,
  };
}

/**
 * The eight TPC-H tables at scale factor `sf`, in an order that can be loaded one
 * by one with every foreign key's target loaded first (region, nation, part,
 * supplier, partsupp, customer, orders, lineitem). Nothing is generated until
 * batches() is iterated (lineitem's `rows` costs one pass over the order line
 * counts, a few milliseconds per SF). Seed 0 (the default) reproduces dbgen.
 */
export function tpchTables(sf: number, seed = 0): GeneratedTable[] {
  if (!Number.isFinite(sf) || sf <= 0) throw new RangeError(`TPC-H scale factor must be positive, got ${sf}`);
  if (sf > TPCH_MAX_SCALE_FACTOR) {
    throw new RangeError(`TPC-H scale factor ${sf} is too large: keys would overflow INTEGER (max ${TPCH_MAX_SCALE_FACTOR})`);
  }
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  if (Math.trunc(SUPPLIERS_PER_SF * sf) < SUPPLIERS_PER_PART) {
    throw new RangeError(`TPC-H scale factor ${sf} is too small: each part needs 4 distinct suppliers (min 0.0004)`);
  }
  const sc = scale(sf, seed);
  let lineitems: number | undefined;
  const lineitemRows = (): number => (lineitems ??= countLineitems(sc));
  return [
    table('region', REGION_COLUMNS, () => REGIONS.length, () => regionBatches(sc)),
    table('nation', NATION_COLUMNS, () => NATIONS.length, () => nationBatches(sc)),
    table('part', PART_COLUMNS, () => sc.parts, () => partBatches(sc)),
    table('supplier', SUPPLIER_COLUMNS, () => sc.suppliers, () => supplierBatches(sc)),
    table('partsupp', PARTSUPP_COLUMNS, () => sc.parts * SUPPLIERS_PER_PART, () => partsuppBatches(sc)),
    table('customer', CUSTOMER_COLUMNS, () => sc.customers, () => customerBatches(sc)),
    table('orders', ORDERS_COLUMNS, () => sc.orders, () => ordersBatches(sc)),
    table('lineitem', LINEITEM_COLUMNS, lineitemRows, () => lineitemBatches(sc, lineitemRows())),
  ];
}
