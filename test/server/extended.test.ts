/**
 * The extended query protocol message by message: Parse (declared and
 * inferred parameter types), Describe of a statement and of a portal, Bind
 * with text and binary parameters, binary results, Execute's row limit and
 * PortalSuspended, Close, named statements and portals, and an error that
 * skips the rest of the batch to Sync.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cstringOf, dataRow, dataRowBytes, errorFields, ext, loggedIn, parameterOids, rowDescription, rowFormats, startServer, type Message, type TestServer } from './wire-client.js';

let env: TestServer;

beforeAll(async () => {
  env = await startServer();
  await env.db.execute(`
    create table t (id integer, name varchar(10), price decimal(8,2), d date, ok boolean, x double precision, big bigint, at timestamp);
    insert into t values (1, 'one', 1.50, '2024-01-05', true, 0.25, 10000000000, '2024-01-05 10:30:00.25'),
                         (2, 'two', -22.05, '1999-12-31', false, -1.5, -3, '2000-01-01 00:00:00'),
                         (3, null, null, null, null, null, null, null);
  `);
});

afterAll(async () => {
  await env?.stop();
});

const types = (msgs: readonly Message[]) => msgs.map((m) => m.type).join('');

function be16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(v);
  return b;
}
function be32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
}
function be64(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(v);
  return b;
}
function f64(v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(v);
  return b;
}
/** numeric_send of 1.5 (digits 1 and 5000, weight 0, dscale 1). */
const NUMERIC_1_5 = Buffer.concat([be16(2), be16(0), be16(0), be16(1), be16(1), be16(5000)]);

describe('the extended query protocol', () => {
  it('describes a statement: parameter types declared or inferred from their context, and its columns', async () => {
    const c = await loggedIn(env.server.port);
    ext.parse(c, 's1', 'select id, name from t where id = $1 and d > $2 and name = $3', [0, 1082]);
    ext.describe(c, 'S', 's1');
    ext.parse(c, 's2', 'insert into t (id, x) values ($1, $2)');
    ext.describe(c, 'S', 's2');
    ext.parse(c, 's3', 'select $1 as v');
    ext.describe(c, 'S', 's3');
    ext.sync(c);
    const msgs = await c.until('Z');
    expect(types(msgs)).toBe('1tT' + '1tn' + '1tT' + 'Z');
    // $1 compared with an integer column, $2 declared date, $3 compared with a varchar
    expect(parameterOids(msgs[1]!)).toEqual([23, 1082, 1043]);
    expect(rowDescription(msgs[2]!).map((col) => [col.name, col.typeOid])).toEqual([
      ['id', 23],
      ['name', 1043],
    ]);
    expect(parameterOids(msgs[4]!)).toEqual([23, 701]);
    // nothing types it: text, as PostgreSQL says of SELECT $1
    expect(parameterOids(msgs[7]!)).toEqual([25]);
    c.end();
  });

  it('binds text parameters, describes the portal and executes it with the right command tags', async () => {
    const c = await loggedIn(env.server.port);
    ext.parse(c, '', 'select id, name, price from t where id >= $1 order by id');
    ext.bind(c, '', '', ['2']);
    ext.describe(c, 'P', '');
    ext.execute(c, '');
    ext.sync(c);
    const msgs = await c.until('Z');
    expect(types(msgs)).toBe('12TDDCZ');
    expect(rowFormats(msgs[2]!)).toEqual([0, 0, 0]);
    expect(dataRow(msgs[3]!)).toEqual(['2', 'two', '-22.05']);
    expect(dataRow(msgs[4]!)).toEqual(['3', null, null]);
    expect(cstringOf(msgs[5]!)).toBe('SELECT 2');
    expect(msgs[6]!.body.toString()).toBe('I');

    ext.parse(c, 'ins', 'insert into t (id, name) values ($1, $2)');
    ext.bind(c, '', 'ins', ['7', 'seven']);
    ext.describe(c, 'P', '');
    ext.execute(c, '');
    ext.parse(c, '', 'delete from t where id = $1');
    ext.bind(c, '', '', ['7']);
    ext.execute(c, '');
    ext.sync(c);
    const dml = await c.until('Z');
    expect(types(dml)).toBe('12nC12CZ');
    expect(cstringOf(dml[3]!)).toBe('INSERT 0 1');
    expect(cstringOf(dml[6]!)).toBe('DELETE 1');
    c.end();
  });

  it('reads binary parameters of the common types', async () => {
    const c = await loggedIn(env.server.port);
    ext.parse(c, '', 'select id from t where id = $1 and big = $2 and x = $3 and ok = $4 and d = $5 and at = $6 and price >= $7 and name = $8', [23, 20, 701, 16, 1082, 1114, 1700, 25]);
    // 2024-01-05 is day 8770 after 2000-01-01; 10:30:00.25 on it is 8770 days and 37,800.25 s in microseconds
    const at = BigInt(8770) * 86_400_000_000n + 37_800_250_000n;
    ext.bind(c, '', '', [be32(1), be64(10000000000n), f64(0.25), Buffer.from([1]), be32(8770), be64(at), NUMERIC_1_5.subarray(0), Buffer.from('one')], [1]);
    ext.execute(c, '');
    ext.sync(c);
    const msgs = await c.until('Z');
    expect(types(msgs)).toBe('12DCZ');
    expect(dataRow(msgs[2]!)).toEqual(['1']);
    expect(cstringOf(msgs[3]!)).toBe('SELECT 1');

    ext.parse(c, '', 'select id, $2 as n from t where d = $1', [1082, 1700]);
    ext.bind(c, '', '', [be32(-1), Buffer.concat([be16(2), be16(0), be16(0x4000), be16(2), be16(12), be16(3400)])], [1]);
    ext.execute(c, '');
    ext.sync(c);
    const second = await c.until('Z');
    expect(types(second)).toBe('12DCZ');
    // 1999-12-31 is day -1; -12.34 came in binary and goes out as text
    expect(dataRow(second[2]!)).toEqual(['2', '-12.34']);
    c.end();
  });

  it('sends binary results of the common types', async () => {
    const c = await loggedIn(env.server.port);
    ext.parse(c, '', 'select id, name, price, d, ok, x, big, at, cast(id as smallint) as s, cast(x as real) as r from t order by id');
    ext.bind(c, '', '', [], [], [1]);
    ext.describe(c, 'P', '');
    ext.execute(c, '');
    ext.sync(c);
    const msgs = await c.until('Z');
    expect(types(msgs)).toBe('12TDDDCZ');
    expect(rowFormats(msgs[2]!)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    const [id, name, price, d, ok, x, big, at, s, r] = dataRowBytes(msgs[3]!);
    expect(id!.readInt32BE(0)).toBe(1);
    expect(name!.toString()).toBe('one');
    // numeric 1.50: one base-10000 digit group each side of the point, dscale 2
    expect([...price!]).toEqual([...Buffer.concat([be16(2), be16(0), be16(0), be16(2), be16(1), be16(5000)])]);
    expect(d!.readInt32BE(0)).toBe(8770);
    expect([...ok!]).toEqual([1]);
    expect(x!.readDoubleBE(0)).toBe(0.25);
    expect(big!.readBigInt64BE(0)).toBe(10000000000n);
    expect(at!.readBigInt64BE(0)).toBe(BigInt(8770) * 86_400_000_000n + 37_800_250_000n);
    expect(s!.readInt16BE(0)).toBe(1);
    expect(r!.readFloatBE(0)).toBe(0.25);
    const two = dataRowBytes(msgs[4]!);
    expect([...two[2]!]).toEqual([...Buffer.concat([be16(2), be16(0), be16(0x4000), be16(2), be16(22), be16(500)])]);
    expect(two[3]!.readInt32BE(0)).toBe(-1);
    expect(two[7]!.readBigInt64BE(0)).toBe(0n);
    expect(dataRowBytes(msgs[5]!).slice(1, 8)).toEqual([null, null, null, null, null, null, null]);
    c.end();
  });

  it('mixes formats per column', async () => {
    const c = await loggedIn(env.server.port);
    ext.parse(c, '', 'select id, name from t where id = 1');
    ext.bind(c, '', '', [], [], [1, 0]);
    ext.describe(c, 'P', '');
    ext.execute(c, '');
    ext.sync(c);
    const msgs = await c.until('Z');
    expect(rowFormats(msgs[2]!)).toEqual([1, 0]);
    const [id, name] = dataRowBytes(msgs[3]!);
    expect(id!.readInt32BE(0)).toBe(1);
    expect(name!.toString()).toBe('one');
    c.end();
  });

  it('hands out a portal a few rows per Execute, with PortalSuspended between', async () => {
    const c = await loggedIn(env.server.port);
    ext.parse(c, 'all', 'select id from t order by id');
    ext.bind(c, 'p', 'all', []);
    ext.execute(c, 'p', 2);
    ext.execute(c, 'p', 2);
    ext.sync(c);
    const msgs = await c.until('Z');
    expect(types(msgs)).toBe('12DDsDCZ');
    expect(msgs.filter((m) => m.type === 'D').map((m) => dataRow(m)[0])).toEqual(['1', '2', '3']);
    expect(cstringOf(msgs[6]!)).toBe('SELECT 1');
    // the portal ended with the transaction at Sync; the statement lives on
    ext.execute(c, 'p');
    ext.sync(c);
    const gone = await c.until('Z');
    expect(types(gone)).toBe('EZ');
    expect(errorFields(gone[0]!)).toMatchObject({ C: '34000', M: 'portal "p" does not exist' });
    ext.bind(c, '', 'all', []);
    ext.execute(c, '');
    ext.close(c, 'S', 'all');
    ext.close(c, 'S', 'all');
    ext.describe(c, 'S', 'all');
    ext.sync(c);
    const closed = await c.until('Z');
    expect(types(closed)).toBe('2DDDC33EZ');
    expect(errorFields(closed[7]!)).toMatchObject({ C: '26000' });
    c.end();
  });

  it('skips to Sync after an error, then goes on', async () => {
    const c = await loggedIn(env.server.port);
    ext.parse(c, '', 'select nope from t where id = $1');
    ext.bind(c, '', '', ['1']);
    ext.execute(c, '');
    ext.sync(c);
    const msgs = await c.until('Z');
    expect(types(msgs)).toBe('EZ');
    expect(errorFields(msgs[0]!)).toMatchObject({ S: 'ERROR', C: '42703', P: '8' });

    ext.parse(c, 'dup', 'select 1');
    ext.parse(c, 'dup', 'select 2');
    ext.sync(c);
    const dup = await c.until('Z');
    expect(types(dup)).toBe('1EZ');
    expect(errorFields(dup[1]!)).toMatchObject({ C: '42P05' });

    ext.parse(c, '', 'select id from t where id = $1');
    ext.bind(c, '', '', ['1', '2']);
    ext.sync(c);
    const count = await c.until('Z');
    expect(types(count)).toBe('1EZ');
    expect(errorFields(count[1]!)).toMatchObject({ C: '08P01' });

    ext.bind(c, '', '', ['x']);
    ext.execute(c, '');
    ext.sync(c);
    const value = await c.until('Z');
    expect(types(value)).toBe('2EZ');
    expect(errorFields(value[1]!)).toMatchObject({ C: '22000' });

    ext.parse(c, '', 'select 1; select 2');
    ext.sync(c);
    const two = await c.until('Z');
    expect(errorFields(two[0]!)).toMatchObject({ C: '42601', M: 'cannot insert multiple commands into a prepared statement' });

    ext.parse(c, '', '');
    ext.bind(c, '', '', []);
    ext.describe(c, 'P', '');
    ext.execute(c, '');
    ext.sync(c);
    expect(types(await c.until('Z'))).toBe('12nIZ');

    c.query('select 5');
    expect(dataRow((await c.until('Z'))[1]!)).toEqual(['5']);
    c.end();
  });

  it('a simple query with $1 is an error naming the parameter', async () => {
    const c = await loggedIn(env.server.port);
    c.query('select $1');
    const msgs = await c.until('Z');
    expect(errorFields(msgs[0]!)).toMatchObject({ C: '42P02', M: 'there is no parameter $1', P: '8' });
    c.end();
  });
});
