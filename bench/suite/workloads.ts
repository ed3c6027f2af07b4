/**
 * Six generated workloads for `npm run bench:advisor-suite` (none of them
 * TPC-H), each a schema, a loader that appends rows the way a real system
 * would (in date order, in several loads), a seeded query stream, and the
 * layout a careful expert would write by hand. The point is to see the
 * advisor on shapes it was not tuned on: a star, a snowflake whose fact has a
 * skewed foreign key, an event log, a wide single table, two facts that want
 * their shared dimension on different keys, and a schema that is already
 * tuned by hand.
 *
 * Everything is deterministic: the data depends on `scale` only, the stream
 * on `scale`, `queries` and `seed`. At scale 1 the biggest table holds
 * 400k-600k rows; dimensions grow with the square root of the scale, so
 * they fall under the 10,000-row limit below which AUTO replicates a table
 * only below about scale 0.1.
 */
import type { Batch, Database, Vector } from '../../engine/index.js';

export interface SuiteWorkload {
  readonly name: string;
  readonly description: string;
  /** CREATE TABLE statements (the default AUTO layout, except `already-tuned`). */
  readonly ddl: readonly string[];
  /** Loads the data in the order a real system would (several appends per fact, in date order). */
  load(db: Database, scale: number): Promise<void>;
  /** The query stream (SQL strings), seeded. */
  stream(scale: number, queries: number, seed: number): string[];
  /** The best layout a careful expert would hand-write, as ALTER TABLE statements. */
  readonly expert: readonly string[];
  /** Other layouts worth measuring beside the expert's (e.g. an interleaved key against the expert's compound one). */
  readonly alternatives?: readonly { readonly name: string; readonly ddl: readonly string[] }[];
}

// ---------------------------------------------------------------------------
// Random numbers and vectors

/** mulberry32: small, fast, reproducible. */
class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = (seed ^ 0x9e3779b9) >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  /** 1..n with P(k) proportional to log((k+1)/k): a Zipf-like head without a parameter to tune. */
  logUniform(n: number): number {
    return Math.min(n, Math.floor(Math.exp(this.next() * Math.log(n + 1))));
  }
}

/** One column of a load, in the engine's physical form (see engine/types.ts). */
type Column =
  | { readonly kind: 'i32'; readonly values: Int32Array }
  | { readonly kind: 'f64'; readonly values: Float64Array }
  | { readonly kind: 'bool'; readonly values: Uint8Array }
  | { readonly kind: 'str'; readonly codes: Uint32Array; readonly dict: readonly string[] };

const i32 = (values: Int32Array): Column => ({ kind: 'i32', values });
const f64 = (values: Float64Array): Column => ({ kind: 'f64', values });
const bool = (values: Uint8Array): Column => ({ kind: 'bool', values });
const str = (codes: Uint32Array, dict: readonly string[]): Column => ({ kind: 'str', codes, dict });

/** Rows per appended batch, as the built-in generators hand them to the loader. */
const BATCH_ROWS = 65_536;

function vectorOf(c: Column, from: number, to: number): Vector {
  const length = to - from;
  switch (c.kind) {
    case 'i32':
      return { kind: 'i32', values: c.values.slice(from, to), nulls: null, length };
    case 'f64':
      return { kind: 'f64', values: c.values.slice(from, to), nulls: null, length };
    case 'bool':
      return { kind: 'bool', values: c.values.slice(from, to), nulls: null, length };
    case 'str':
      return { kind: 'str', codes: c.codes.slice(from, to), dict: c.dict.length ? c.dict : [''], nulls: null, length };
  }
}

/** One load: the columns (in the table's order) appended in one atomic change, cut into batches. */
async function appendColumns(db: Database, table: string, columns: readonly Column[]): Promise<void> {
  const first = columns[0]!;
  const n = first.kind === 'str' ? first.codes.length : first.values.length;
  const batches: Batch[] = [];
  for (let from = 0; from < n; from += BATCH_ROWS) {
    const to = Math.min(n, from + BATCH_ROWS);
    batches.push({ length: to - from, columns: columns.map((c) => vectorOf(c, from, to)) });
  }
  await db.append(table, batches);
}

/** 1..n in order (surrogate keys). */
function serial(n: number, first = 1): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = first + i;
  return a;
}

/** A string column drawn uniformly from `domain`. */
function oneOf(r: Rng, n: number, domain: readonly string[]): Column {
  const codes = new Uint32Array(n);
  for (let i = 0; i < n; i++) codes[i] = Math.floor(r.next() * domain.length);
  return str(codes, domain);
}

/** A string column drawn from `domain` with weights (a realistic uneven mix). */
function oneOfWeighted(r: Rng, n: number, domain: readonly string[], weights: readonly number[]): Column {
  const total = weights.reduce((a, b) => a + b, 0);
  const cum: number[] = [];
  for (let k = 0, s = 0; k < weights.length; k++) cum.push((s += weights[k]! / total));
  const codes = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const u = r.next();
    let k = 0;
    while (k < cum.length - 1 && u >= cum[k]!) k++;
    codes[i] = k;
  }
  return str(codes, domain);
}

/** A distinct label per row: `prefix` and the key, zero-padded. */
function labels(prefix: string, keys: Int32Array): Column {
  const dict = Array.from(keys, (k) => `${prefix}#${String(k).padStart(7, '0')}`);
  const codes = new Uint32Array(keys.length);
  for (let i = 0; i < codes.length; i++) codes[i] = i;
  return str(codes, dict);
}

/** Integers in [lo, hi]. */
function ints(r: Rng, n: number, lo: number, hi: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = r.int(lo, hi);
  return a;
}

/** Cents in [lo, hi] (a DECIMAL(_, 2) is stored as its scaled integer). */
function cents(r: Rng, n: number, lo: number, hi: number): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = r.int(lo, hi);
  return a;
}

/** Booleans, true with probability p. */
function flags(r: Rng, n: number, p: number): Uint8Array {
  const a = new Uint8Array(n);
  for (let i = 0; i < n; i++) a[i] = r.next() < p ? 1 : 0;
  return a;
}

/** Rows of each day when `total` rows are spread evenly over `days` days (sums exactly to total). */
function rowsOfDay(total: number, days: number, day: number): number {
  return Math.floor(((day + 1) * total) / days) - Math.floor((day * total) / days);
}

/** The days [0, days) cut into `loads` consecutive runs [a, b): one append each. */
function loadRuns(days: number, loads: number): [number, number][] {
  const runs: [number, number][] = [];
  for (let k = 0; k < loads; k++) {
    const a = Math.floor((k * days) / loads);
    const b = Math.floor(((k + 1) * days) / loads);
    if (b > a) runs.push([a, b]);
  }
  return runs;
}

const DAY0 = Date.UTC(2023, 0, 1) / 86_400_000; // 2023-01-01, days since 1970-01-01
const MICROS_PER_DAY = 86_400_000_000;
const dateText = (day: number) => new Date((DAY0 + day) * 86_400_000).toISOString().slice(0, 10);
const timestampText = (micros: number) => new Date(DAY0 * 86_400_000 + micros / 1000).toISOString().slice(0, 19).replace('T', ' ');
const scaled = (base: number, scale: number, min: number) => Math.max(min, Math.round(base * scale));
/**
 * Dimensions grow slower than facts (a business with ten times the sales has
 * not ten times the customers), and this keeps them above AUTO's 10,000-row
 * replication limit down to scale 0.1, so a quick run has scale 1's layout problem.
 */
const dimension = (base: number, scale: number, min: number) => Math.max(min, Math.round(base * Math.sqrt(scale)));
const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

type Template = readonly [weight: number, make: (r: Rng) => string];

/** `queries` statements drawn from weighted templates with one seeded stream. */
function drawStream(templates: readonly Template[], queries: number, seed: number): string[] {
  const r = new Rng(seed);
  const total = templates.reduce((s, [w]) => s + w, 0);
  const out: string[] = [];
  for (let i = 0; i < queries; i++) {
    let u = r.next() * total;
    let k = 0;
    while (k < templates.length - 1 && u >= templates[k]![0]) u -= templates[k++]![0];
    out.push(templates[k]![1](r));
  }
  return out;
}

/** A date range of `len` days inside [0, days): its first and its last day (for BETWEEN). */
function dayRange(r: Rng, days: number, len: number): [string, string] {
  const first = r.int(0, Math.max(0, days - len));
  return [dateText(first), dateText(first + len - 1)];
}

const REGIONS = ['north', 'south', 'east', 'west', 'central', 'overseas'];
const SEGMENTS = ['consumer', 'small business', 'enterprise', 'public sector', 'education'];
const CATEGORIES = ['grocery', 'electronics', 'toys', 'garden', 'books', 'sports', 'beauty', 'home', 'auto', 'music', 'office', 'pets', 'baby', 'tools', 'outdoor', 'crafts'];

// ---------------------------------------------------------------------------
// 1. star: a date-ordered sales fact and three dimensions

const starSizes = (scale: number) => ({
  sales: scaled(480_000, scale, 2_000),
  customers: dimension(40_000, scale, 200),
  products: scaled(4_000, scale, 50),
  stores: scaled(200, scale, 10),
  days: 365,
});

const star: SuiteWorkload = {
  name: 'star',
  description: 'sales fact appended month by month in date order; customer, product and store dimensions; date-range dashboards, a store roll-up, customer lookups',
  ddl: [
    'create table customer (customer_id int not null, name varchar(32) not null, segment varchar(16) not null, region varchar(16) not null, signup_date date not null)',
    'create table product (product_id int not null, name varchar(32) not null, category varchar(16) not null, brand varchar(16) not null, list_price decimal(10,2) not null)',
    'create table store (store_id int not null, name varchar(32) not null, city varchar(16) not null, region varchar(16) not null)',
    'create table sales (sale_id int not null, sale_date date not null, customer_id int not null, product_id int not null, store_id int not null, quantity int not null, amount decimal(12,2) not null)',
  ],
  async load(db, scale) {
    const z = starSizes(scale);
    const r = new Rng(11);
    const cust = serial(z.customers);
    await appendColumns(db, 'customer', [i32(cust), labels('Customer', cust), oneOf(r, z.customers, SEGMENTS), oneOf(r, z.customers, REGIONS), i32(ints(r, z.customers, DAY0 - 2000, DAY0 - 1))]);
    const prod = serial(z.products);
    const price = cents(r, z.products, 199, 49_999);
    const brands = Array.from({ length: 60 }, (_, i) => `brand ${i + 1}`);
    await appendColumns(db, 'product', [i32(prod), labels('Product', prod), oneOf(r, z.products, CATEGORIES), oneOf(r, z.products, brands), f64(price)]);
    const st = serial(z.stores);
    const cities = Array.from({ length: 40 }, (_, i) => `city ${i + 1}`);
    await appendColumns(db, 'store', [i32(st), labels('Store', st), oneOf(r, z.stores, cities), oneOf(r, z.stores, REGIONS)]);
    // twelve monthly loads, each the month's days in order, as a nightly ETL would have left them
    let saleId = 1;
    for (const [a, b] of loadRuns(z.days, 12)) {
      let n = 0;
      for (let d = a; d < b; d++) n += rowsOfDay(z.sales, z.days, d);
      const date = new Int32Array(n);
      const customer = new Int32Array(n);
      const product = new Int32Array(n);
      const store = new Int32Array(n);
      const quantity = new Int32Array(n);
      const amount = new Float64Array(n);
      let i = 0;
      for (let d = a; d < b; d++) {
        for (let k = rowsOfDay(z.sales, z.days, d); k > 0; k--, i++) {
          date[i] = DAY0 + d;
          customer[i] = r.int(1, z.customers);
          product[i] = r.logUniform(z.products);
          store[i] = r.int(1, z.stores);
          quantity[i] = r.int(1, 8);
          amount[i] = Math.round(quantity[i]! * price[product[i]! - 1]! * r.pick([1, 1, 0.95, 0.9]));
        }
      }
      await appendColumns(db, 'sales', [i32(serial(n, saleId)), i32(date), i32(customer), i32(product), i32(store), i32(quantity), f64(amount)]);
      saleId += n;
    }
  },
  stream(scale, queries, seed) {
    const z = starSizes(scale);
    return drawStream(
      [
        [35, (r) => {
          const [a, b] = dayRange(r, z.days, r.pick([7, 14, 30, 90]));
          return `select c.segment, p.category, count(*) as orders, sum(s.amount) as revenue from sales s join customer c on s.customer_id = c.customer_id join product p on s.product_id = p.product_id where s.sale_date between '${a}' and '${b}' group by c.segment, p.category order by revenue desc`;
        }],
        [15, (r) => {
          const [a, b] = dayRange(r, z.days, 30);
          return `select st.region, st.city, sum(s.quantity) as units, sum(s.amount) as revenue from sales s join store st on s.store_id = st.store_id where s.sale_date between '${a}' and '${b}' group by st.region, st.city order by st.region, revenue desc`;
        }],
        [15, (r) => {
          const [a, b] = dayRange(r, z.days, r.pick([7, 30]));
          return `select c.customer_id, c.name, sum(s.amount) as revenue from sales s join customer c on s.customer_id = c.customer_id where s.sale_date between '${a}' and '${b}' and c.region = ${quote(r.pick(REGIONS))} group by c.customer_id, c.name order by revenue desc limit 20`;
        }],
        [25, (r) => `select sale_date, product_id, quantity, amount from sales where customer_id = ${r.int(1, z.customers)} order by sale_date desc limit 50`],
        [10, (r) => `select p.category, count(*) as orders, sum(s.amount) as spent from sales s join product p on s.product_id = p.product_id where s.customer_id = ${r.int(1, z.customers)} group by p.category order by spent desc`],
      ],
      queries,
      seed,
    );
  },
  // co-locate the fact with its one big dimension; the two small ones are copied to every slice; dashboards filter on the load order's date
  expert: [
    'ALTER TABLE sales ALTER DISTKEY customer_id',
    'ALTER TABLE customer ALTER DISTKEY customer_id',
    'ALTER TABLE product ALTER DISTSTYLE ALL',
    'ALTER TABLE store ALTER DISTSTYLE ALL',
    'ALTER TABLE sales ALTER COMPOUND SORTKEY (sale_date)',
  ],
};

// ---------------------------------------------------------------------------
// 2. snowflake: a fact whose product key is skewed, product -> supplier

const snowSizes = (scale: number) => ({
  items: scaled(500_000, scale, 2_000),
  products: dimension(50_000, scale, 200),
  suppliers: dimension(12_000, scale, 40),
  days: 180,
});
const COUNTRIES = ['US', 'DE', 'FR', 'JP', 'CN', 'BR', 'IN', 'GB', 'IT', 'ES', 'CA', 'MX', 'KR', 'NL', 'SE', 'PL', 'TR', 'AU', 'ZA', 'EG'];

const snowflake: SuiteWorkload = {
  name: 'snowflake',
  description: 'order items whose product key is skewed (40% of rows on one house-brand product), product -> supplier; revenue by supplier country, by category, supplier drill-downs, catalog queries',
  ddl: [
    'create table supplier (supplier_id int not null, name varchar(32) not null, country char(2) not null, rating smallint not null)',
    'create table product (product_id int not null, name varchar(32) not null, category varchar(16) not null, supplier_id int not null, unit_cost decimal(10,2) not null)',
    'create table order_item (item_id int not null, order_date date not null, product_id int not null, quantity int not null, revenue decimal(12,2) not null)',
  ],
  async load(db, scale) {
    const z = snowSizes(scale);
    const r = new Rng(22);
    const sup = serial(z.suppliers);
    await appendColumns(db, 'supplier', [i32(sup), labels('Supplier', sup), oneOf(r, z.suppliers, COUNTRIES), i32(ints(r, z.suppliers, 1, 5))]);
    const prod = serial(z.products);
    const cost = cents(r, z.products, 100, 20_000);
    await appendColumns(db, 'product', [i32(prod), labels('Product', prod), oneOf(r, z.products, CATEGORIES), i32(ints(r, z.products, 1, z.suppliers)), f64(cost)]);
    let itemId = 1;
    for (const [a, b] of loadRuns(z.days, 6)) {
      let n = 0;
      for (let d = a; d < b; d++) n += rowsOfDay(z.items, z.days, d);
      const date = new Int32Array(n);
      const product = new Int32Array(n);
      const quantity = new Int32Array(n);
      const revenue = new Float64Array(n);
      let i = 0;
      for (let d = a; d < b; d++) {
        for (let k = rowsOfDay(z.items, z.days, d); k > 0; k--, i++) {
          date[i] = DAY0 + d;
          // the house brand: a hot foreign key that makes KEY(product_id) pile 40% of the fact on one slice
          product[i] = r.next() < 0.4 ? 1 : r.int(2, z.products);
          quantity[i] = r.int(1, 6);
          revenue[i] = Math.round(quantity[i]! * cost[product[i]! - 1]! * 1.3);
        }
      }
      await appendColumns(db, 'order_item', [i32(serial(n, itemId)), i32(date), i32(product), i32(quantity), f64(revenue)]);
      itemId += n;
    }
  },
  stream(scale, queries, seed) {
    const z = snowSizes(scale);
    return drawStream(
      [
        [35, (r) => {
          const [a, b] = dayRange(r, z.days, r.pick([7, 30, 60]));
          return `select s.country, count(*) as items, sum(oi.revenue) as revenue from order_item oi join product p on oi.product_id = p.product_id join supplier s on p.supplier_id = s.supplier_id where oi.order_date between '${a}' and '${b}' group by s.country order by revenue desc`;
        }],
        [25, (r) => {
          const [a, b] = dayRange(r, z.days, r.pick([7, 30]));
          return `select p.category, sum(oi.quantity) as units, sum(oi.revenue - oi.quantity * p.unit_cost) as margin from order_item oi join product p on oi.product_id = p.product_id where oi.order_date between '${a}' and '${b}' group by p.category order by margin desc`;
        }],
        [20, (r) => `select p.product_id, p.name, sum(oi.quantity) as units from order_item oi join product p on oi.product_id = p.product_id join supplier s on p.supplier_id = s.supplier_id where s.supplier_id = ${r.int(1, z.suppliers)} group by p.product_id, p.name order by units desc limit 20`],
        [20, (r) => `select s.country, p.category, count(*) as products, avg(p.unit_cost) as avg_cost from product p join supplier s on p.supplier_id = s.supplier_id where s.rating >= ${r.int(3, 5)} group by s.country, p.category order by products desc limit 30`],
      ],
      queries,
      seed,
    );
  },
  // KEY(product_id) on the fact is what co-location asks for and what the skew forbids (one slice
  // would hold over half the fact), so the fact stays EVEN. The two dimensions are co-located on
  // supplier_id rather than replicated: in keel every slice builds its own hash table over an ALL
  // table, and replicating the 50k-row product measured slower (and read more blocks) than moving
  // it, though it moves almost no bytes. The fact arrives in date order, so it is clustered by date
  // already: a sort key on order_date only merges the partial blocks the appends left into full
  // ones, fewer blocks of more rows each (rows read +17%), and measured no faster; it is measured
  // beside the expert as an alternative.
  expert: ['ALTER TABLE product ALTER DISTKEY supplier_id', 'ALTER TABLE supplier ALTER DISTKEY supplier_id'],
  alternatives: [{ name: 'date-sortkey', ddl: ['ALTER TABLE product ALTER DISTKEY supplier_id', 'ALTER TABLE supplier ALTER DISTKEY supplier_id', 'ALTER TABLE order_item ALTER COMPOUND SORTKEY (order_date)'] }],
};

// ---------------------------------------------------------------------------
// 3. events: an append-only event log with a heavily skewed tenant

const eventSizes = (scale: number) => ({
  events: scaled(600_000, scale, 3_000),
  users: dimension(40_000, scale, 200),
  tenants: scaled(300, scale, 10),
  devices: scaled(100_000, scale, 500),
  days: 60,
});
const KINDS = ['page_view', 'click', 'search', 'add_to_cart', 'checkout', 'login', 'logout', 'error', 'share', 'download', 'upload', 'invite'];
const PLANS = ['free', 'starter', 'team', 'enterprise'];

const events: SuiteWorkload = {
  name: 'events',
  description: 'an event log appended day by day, one tenant with half the events; time-range scans, user lookups, per-tenant counts, events by user plan',
  ddl: [
    'create table tenant (tenant_id int not null, name varchar(32) not null, plan varchar(12) not null)',
    'create table app_user (user_id int not null, tenant_id int not null, country char(2) not null, plan varchar(12) not null, created date not null)',
    'create table event (event_time timestamp not null, user_id int not null, tenant_id int not null, device_id int not null, kind varchar(16) not null, value double precision not null)',
  ],
  async load(db, scale) {
    const z = eventSizes(scale);
    const r = new Rng(33);
    const ten = serial(z.tenants);
    await appendColumns(db, 'tenant', [i32(ten), labels('Tenant', ten), oneOf(r, z.tenants, PLANS)]);
    // the tenant a user belongs to carries the skew: tenant 1 holds half the users (and so half the events)
    const userTenant = new Int32Array(z.users);
    for (let u = 0; u < z.users; u++) userTenant[u] = r.next() < 0.5 ? 1 : 1 + r.logUniform(z.tenants - 1);
    await appendColumns(db, 'app_user', [i32(serial(z.users)), i32(userTenant), oneOf(r, z.users, COUNTRIES), oneOfWeighted(r, z.users, PLANS, [6, 3, 2, 1]), i32(ints(r, z.users, DAY0 - 700, DAY0 - 1))]);
    for (let d = 0; d < z.days; d++) {
      const n = rowsOfDay(z.events, z.days, d);
      const time = new Float64Array(n);
      const user = new Int32Array(n);
      const tenant = new Int32Array(n);
      const value = new Float64Array(n);
      // events arrive in time order within the day
      for (let i = 0; i < n; i++) {
        time[i] = (DAY0 + d) * MICROS_PER_DAY + Math.floor((i / n) * MICROS_PER_DAY) + r.int(0, 999_999);
        user[i] = r.logUniform(z.users);
        tenant[i] = userTenant[user[i]! - 1]!;
        value[i] = Math.round(r.next() * 100_000) / 100;
      }
      await appendColumns(db, 'event', [f64(time), i32(user), i32(tenant), i32(ints(r, n, 1, z.devices)), oneOfWeighted(r, n, KINDS, [30, 20, 12, 8, 3, 6, 5, 4, 3, 3, 3, 3]), f64(value)]);
    }
  },
  stream(scale, queries, seed) {
    const z = eventSizes(scale);
    const window = (r: Rng, hours: number): [string, string] => {
      const start = r.int(0, z.days * 24 - hours) * 3_600_000_000;
      return [timestampText(start), timestampText(start + hours * 3_600_000_000)];
    };
    return drawStream(
      [
        [30, (r) => {
          const [a, b] = window(r, r.pick([1, 6, 24, 72]));
          return `select kind, count(*) as events, avg(value) as avg_value from event where event_time >= '${a}' and event_time < '${b}' group by kind order by events desc`;
        }],
        [25, (r) => `select event_time, kind, device_id, value from event where user_id = ${r.logUniform(z.users)} order by event_time desc limit 100`],
        [25, (r) => {
          const [a, b] = window(r, r.pick([24, 72, 168]));
          return `select t.name, t.plan, count(*) as events from event e join tenant t on e.tenant_id = t.tenant_id where e.event_time >= '${a}' and e.event_time < '${b}' group by t.name, t.plan order by events desc limit 25`;
        }],
        [20, (r) => {
          const [a, b] = window(r, r.pick([24, 72]));
          return `select u.plan, u.country, count(*) as events, count(distinct e.user_id) as users from event e join app_user u on e.user_id = u.user_id where e.event_time >= '${a}' and e.event_time < '${b}' and e.kind = ${quote(r.pick(KINDS.slice(0, 6)))} group by u.plan, u.country order by events desc limit 40`;
        }],
      ],
      queries,
      seed,
    );
  },
  // co-locate the log with its users (user_id is spread thin; tenant_id would put half the log on one slice);
  // the time order the log arrives in is what most scans filter on, so it becomes the sort key
  expert: [
    'ALTER TABLE event ALTER DISTKEY user_id',
    'ALTER TABLE app_user ALTER DISTKEY user_id',
    'ALTER TABLE tenant ALTER DISTSTYLE ALL',
    'ALTER TABLE event ALTER COMPOUND SORTKEY (event_time)',
  ],
};

// ---------------------------------------------------------------------------
// 4. wide: one wide table filtered on combinations of low-cardinality columns

const wideSizes = (scale: number) => ({ rows: scaled(400_000, scale, 2_000), days: 120 });
const W = {
  region: ['amer-east', 'amer-west', 'emea-north', 'emea-south', 'apac-north', 'apac-south', 'latam', 'anz'],
  channel: ['web', 'app', 'store', 'phone', 'partner'],
  status: ['new', 'open', 'pending', 'shipped', 'closed', 'cancelled'],
  category: Array.from({ length: 24 }, (_, i) => `cat-${String(i + 1).padStart(2, '0')}`),
  country: COUNTRIES,
  device: ['desktop', 'mobile', 'tablet', 'tv'],
  plan: PLANS,
  segment: SEGMENTS,
};

const wide: SuiteWorkload = {
  name: 'wide',
  description: 'one 20-column table of low-cardinality attributes, filtered on combinations of two or three of them',
  ddl: [
    'create table activity (activity_id int not null, activity_date date not null, region varchar(12) not null, channel varchar(8) not null, status varchar(10) not null, category varchar(8) not null, priority smallint not null, country char(2) not null, device varchar(8) not null, plan varchar(12) not null, segment varchar(16) not null, is_mobile boolean not null, is_paid boolean not null, is_returning boolean not null, customer_id int not null, product_id int not null, quantity int not null, amount decimal(12,2) not null, score double precision not null, latency_ms int not null)',
  ],
  async load(db, scale) {
    const z = wideSizes(scale);
    const r = new Rng(44);
    let id = 1;
    for (const [a, b] of loadRuns(z.days, 4)) {
      let n = 0;
      for (let d = a; d < b; d++) n += rowsOfDay(z.rows, z.days, d);
      const date = new Int32Array(n);
      let i = 0;
      for (let d = a; d < b; d++) for (let k = rowsOfDay(z.rows, z.days, d); k > 0; k--) date[i++] = DAY0 + d;
      const score = new Float64Array(n);
      for (let j = 0; j < n; j++) score[j] = Math.round(r.next() * 1000) / 10;
      await appendColumns(db, 'activity', [
        i32(serial(n, id)),
        i32(date),
        oneOfWeighted(r, n, W.region, [20, 15, 15, 10, 12, 8, 12, 8]),
        oneOfWeighted(r, n, W.channel, [40, 30, 15, 10, 5]),
        oneOfWeighted(r, n, W.status, [10, 15, 10, 25, 35, 5]),
        oneOf(r, n, W.category),
        i32(ints(r, n, 1, 4)),
        oneOf(r, n, W.country),
        oneOf(r, n, W.device),
        oneOfWeighted(r, n, W.plan, [6, 3, 2, 1]),
        oneOf(r, n, W.segment),
        bool(flags(r, n, 0.55)),
        bool(flags(r, n, 0.3)),
        bool(flags(r, n, 0.4)),
        i32(ints(r, n, 1, scaled(80_000, scale, 500))),
        i32(ints(r, n, 1, scaled(10_000, scale, 100))),
        i32(ints(r, n, 1, 10)),
        f64(cents(r, n, 100, 100_000)),
        f64(score),
        i32(ints(r, n, 5, 3_000)),
      ]);
      id += n;
    }
  },
  stream(scale, queries, seed) {
    const z = wideSizes(scale);
    return drawStream(
      [
        [30, (r) => `select channel, count(*) as n, sum(amount) as amount from activity where region = ${quote(r.pick(W.region))} and status = ${quote(r.pick(W.status))} group by channel order by channel`],
        [20, (r) => {
          const [a, b] = dayRange(r, z.days, r.pick([7, 30]));
          return `select segment, sum(quantity) as units, sum(amount) as amount from activity where region = ${quote(r.pick(W.region))} and category = ${quote(r.pick(W.category))} and activity_date between '${a}' and '${b}' group by segment order by amount desc`;
        }],
        [15, (r) => `select region, count(*) as n, avg(latency_ms) as latency from activity where status = ${quote(r.pick(W.status))} and priority >= ${r.int(2, 4)} group by region order by n desc`],
        [15, (r) => `select plan, avg(score) as score, count(*) as n from activity where channel = ${quote(r.pick(W.channel))} and is_paid and device = ${quote(r.pick(W.device))} group by plan order by plan`],
        [10, (r) => `select segment, count(*) as n from activity where region in (${quote(r.pick(W.region))}, ${quote(r.pick(W.region))}) and plan = ${quote(r.pick(W.plan))} group by segment order by n desc`],
        [10, (r) => `select status, count(*) as n, sum(amount) as amount from activity where country = ${quote(r.pick(W.country))} and activity_date >= '${dateText(r.int(0, z.days - 14))}' group by status order by status`],
      ],
      queries,
      seed,
    );
  },
  // no joins, so EVEN stays; region is in 60% of the filters and status in half of those
  // (a third column, activity_date, measured no fewer blocks: a slice holds about six blocks a column)
  expert: ['ALTER TABLE activity ALTER COMPOUND SORTKEY (region, status)'],
  // the filters combine region, status and category most: a z-order over the three, measured beside the compound key
  alternatives: [{ name: 'interleaved', ddl: ['ALTER TABLE activity ALTER INTERLEAVED SORTKEY (region, status, category)'] }],
};

// ---------------------------------------------------------------------------
// 5. two-facts: orders join the account on account_id, invoices on billing_id

const twoSizes = (scale: number) => ({
  orders: scaled(500_000, scale, 2_000),
  invoices: scaled(300_000, scale, 1_200),
  accounts: dimension(100_000, scale, 300),
  days: 240,
});
const TIERS = ['bronze', 'silver', 'gold', 'platinum'];

/** The billing system's id of an account: a second unique key, unrelated in order to account_id. */
function billingIdOf(account: number, accounts: number): number {
  // multiplying by a prime that does not divide the count permutes the residues, so every account gets its own id
  const m = accounts % 7_919 === 0 ? 7_907 : 7_919;
  return 1_000_000 + ((account * m) % accounts);
}

const twoFacts: SuiteWorkload = {
  name: 'two-facts',
  description: 'orders join the account dimension on account_id, invoices join it on billing_id (a second unique key): each fact wants the dimension on its own key',
  ddl: [
    'create table account (account_id int not null, billing_id int not null, name varchar(32) not null, tier varchar(10) not null, region varchar(16) not null, opened date not null)',
    'create table orders_f (order_id int not null, order_date date not null, account_id int not null, channel varchar(8) not null, amount decimal(12,2) not null)',
    'create table invoices_f (invoice_id int not null, invoice_date date not null, billing_id int not null, status varchar(10) not null, amount decimal(12,2) not null)',
  ],
  async load(db, scale) {
    const z = twoSizes(scale);
    const r = new Rng(55);
    const acc = serial(z.accounts);
    const billing = acc.map((a) => billingIdOf(a, z.accounts));
    await appendColumns(db, 'account', [i32(acc), i32(billing), labels('Account', acc), oneOfWeighted(r, z.accounts, TIERS, [8, 5, 2, 1]), oneOf(r, z.accounts, REGIONS), i32(ints(r, z.accounts, DAY0 - 1500, DAY0 - 1))]);
    // both facts arrive in date order, each in its own monthly loads
    let orderId = 1;
    let invoiceId = 1;
    for (const [a, b] of loadRuns(z.days, 8)) {
      let n = 0;
      let m = 0;
      for (let d = a; d < b; d++) {
        n += rowsOfDay(z.orders, z.days, d);
        m += rowsOfDay(z.invoices, z.days, d);
      }
      const oDate = new Int32Array(n);
      const iDate = new Int32Array(m);
      for (let d = a, i = 0, j = 0; d < b; d++) {
        for (let k = rowsOfDay(z.orders, z.days, d); k > 0; k--) oDate[i++] = DAY0 + d;
        for (let k = rowsOfDay(z.invoices, z.days, d); k > 0; k--) iDate[j++] = DAY0 + d;
      }
      const oAcc = ints(r, n, 1, z.accounts);
      await appendColumns(db, 'orders_f', [i32(serial(n, orderId)), i32(oDate), i32(oAcc), oneOf(r, n, W.channel), f64(cents(r, n, 500, 200_000))]);
      const iBill = ints(r, m, 1, z.accounts).map((a) => billingIdOf(a, z.accounts));
      await appendColumns(db, 'invoices_f', [i32(serial(m, invoiceId)), i32(iDate), i32(iBill), oneOfWeighted(r, m, ['paid', 'open', 'overdue', 'void'], [70, 15, 12, 3]), f64(cents(r, m, 1_000, 500_000))]);
      orderId += n;
      invoiceId += m;
    }
  },
  stream(scale, queries, seed) {
    const z = twoSizes(scale);
    const account = (r: Rng) => r.int(1, z.accounts);
    return drawStream(
      [
        [30, (r) => {
          const [a, b] = dayRange(r, z.days, r.pick([14, 30, 90]));
          return `select a.tier, a.region, count(*) as orders, sum(o.amount) as revenue from orders_f o join account a on o.account_id = a.account_id where o.order_date between '${a}' and '${b}' group by a.tier, a.region order by revenue desc`;
        }],
        [30, (r) => {
          const [a, b] = dayRange(r, z.days, r.pick([14, 30, 90]));
          return `select a.region, i.status, count(*) as invoices, sum(i.amount) as billed from invoices_f i join account a on i.billing_id = a.billing_id where i.invoice_date between '${a}' and '${b}' group by a.region, i.status order by billed desc`;
        }],
        [15, (r) => `select i.invoice_date, i.status, i.amount from invoices_f i join account a on i.billing_id = a.billing_id where a.account_id = ${account(r)} order by i.invoice_date desc limit 20`],
        [15, (r) => `select o.order_date, o.channel, o.amount from orders_f o join account a on o.account_id = a.account_id where a.billing_id = ${billingIdOf(account(r), z.accounts)} order by o.order_date desc limit 20`],
        [10, (r) => {
          const [a, b] = dayRange(r, z.days, 30);
          return `select a.tier, count(distinct o.account_id) as buyers, sum(o.amount) as ordered from orders_f o join account a on o.account_id = a.account_id where o.order_date between '${a}' and '${b}' and a.billing_id in (select i.billing_id from invoices_f i where i.status = 'overdue' and i.invoice_date between '${a}' and '${b}') group by a.tier order by a.tier`;
        }],
      ],
      queries,
      seed,
    );
  },
  // the dimension can sit on one key only: it follows the bigger fact (orders on account_id), and
  // invoices sit on billing_id so that only the dimension's rows move for their joins. Replicating the
  // 100k-row dimension moves almost nothing, but every slice then hashes all of it: it measured
  // slower and read 40% more blocks.
  expert: [
    'ALTER TABLE account ALTER DISTKEY account_id',
    'ALTER TABLE orders_f ALTER DISTKEY account_id',
    'ALTER TABLE invoices_f ALTER DISTKEY billing_id',
    'ALTER TABLE orders_f ALTER COMPOUND SORTKEY (order_date)',
    'ALTER TABLE invoices_f ALTER COMPOUND SORTKEY (invoice_date)',
  ],
};

// ---------------------------------------------------------------------------
// 6. already-tuned: explicit DDL that already suits the stream

const tunedSizes = (scale: number) => ({
  shipments: scaled(450_000, scale, 2_000),
  clients: dimension(60_000, scale, 200),
  warehouses: 50,
  days: 300,
});
const CARRIERS = ['ups', 'fedex', 'dhl', 'usps', 'local'];

const alreadyTuned: SuiteWorkload = {
  name: 'already-tuned',
  description: 'shipments and clients distributed on client_id and shipments sorted by date from the start (explicit DDL), warehouses replicated; every query joins on client_id or filters on the date',
  ddl: [
    'create table warehouse (warehouse_id int not null, name varchar(32) not null, region varchar(16) not null) diststyle all',
    'create table client (client_id int not null, name varchar(32) not null, tier varchar(10) not null, region varchar(16) not null) diststyle key distkey (client_id)',
    'create table shipment (shipment_id int not null, ship_date date not null, client_id int not null, warehouse_id int not null, carrier varchar(8) not null, weight_kg decimal(10,2) not null, cost decimal(12,2) not null) diststyle key distkey (client_id) compound sortkey (ship_date)',
  ],
  async load(db, scale) {
    const z = tunedSizes(scale);
    const r = new Rng(66);
    const wh = serial(z.warehouses);
    await appendColumns(db, 'warehouse', [i32(wh), labels('Warehouse', wh), oneOf(r, z.warehouses, REGIONS)]);
    const cl = serial(z.clients);
    await appendColumns(db, 'client', [i32(cl), labels('Client', cl), oneOfWeighted(r, z.clients, TIERS, [8, 5, 2, 1]), oneOf(r, z.clients, REGIONS)]);
    let id = 1;
    for (const [a, b] of loadRuns(z.days, 10)) {
      let n = 0;
      for (let d = a; d < b; d++) n += rowsOfDay(z.shipments, z.days, d);
      const date = new Int32Array(n);
      for (let d = a, i = 0; d < b; d++) for (let k = rowsOfDay(z.shipments, z.days, d); k > 0; k--) date[i++] = DAY0 + d;
      await appendColumns(db, 'shipment', [i32(serial(n, id)), i32(date), i32(ints(r, n, 1, z.clients)), i32(ints(r, n, 1, z.warehouses)), oneOf(r, n, CARRIERS), f64(cents(r, n, 50, 500_000)), f64(cents(r, n, 500, 90_000))]);
      id += n;
    }
  },
  stream(scale, queries, seed) {
    const z = tunedSizes(scale);
    return drawStream(
      [
        [40, (r) => {
          const [a, b] = dayRange(r, z.days, r.pick([7, 30, 90]));
          return `select c.tier, c.region, count(*) as shipments, sum(s.cost) as cost from shipment s join client c on s.client_id = c.client_id where s.ship_date between '${a}' and '${b}' group by c.tier, c.region order by cost desc`;
        }],
        [25, (r) => {
          const [a, b] = dayRange(r, z.days, r.pick([7, 30]));
          return `select c.client_id, c.name, count(*) as shipments, sum(s.weight_kg) as weight from shipment s join client c on s.client_id = c.client_id where s.ship_date between '${a}' and '${b}' group by c.client_id, c.name order by weight desc limit 25`;
        }],
        [25, (r) => {
          const [a, b] = dayRange(r, z.days, r.pick([7, 30]));
          return `select w.region, s.carrier, count(*) as shipments, avg(s.cost) as avg_cost from shipment s join warehouse w on s.warehouse_id = w.warehouse_id where s.ship_date between '${a}' and '${b}' group by w.region, s.carrier order by w.region, s.carrier`;
        }],
        [10, (r) => {
          const [a, b] = dayRange(r, z.days, 14);
          return `select s.client_id, count(*) as shipments from shipment s where s.ship_date between '${a}' and '${b}' group by s.client_id having count(*) > 2 order by shipments desc limit 10`;
        }],
      ],
      queries,
      seed,
    );
  },
  // the DDL above is the expert's layout already
  expert: [],
};

export const WORKLOADS: readonly SuiteWorkload[] = [star, snowflake, events, wide, twoFacts, alreadyTuned];

export function workloadByName(name: string): SuiteWorkload {
  const w = WORKLOADS.find((x) => x.name === name);
  if (!w) throw new Error(`unknown workload "${name}"; known: ${WORKLOADS.map((x) => x.name).join(', ')}`);
  return w;
}
