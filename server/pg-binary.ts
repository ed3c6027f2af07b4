/**
 * PostgreSQL's binary format (each type's send/recv functions) for the common
 * types: parameters a client sends in binary are read into keel's text form
 * (the engine parses that as a literal of the parameter's type), and result
 * values go out in binary from keel's text form, as the text format does.
 * Dispatch on the type happens here, once per parameter or result column.
 *
 *   int2, int4, int8      big-endian two's complement
 *   float4, float8        big-endian IEEE 754
 *   bool                  one byte, 0 or 1
 *   date                  int32 days since 2000-01-01
 *   timestamp(tz)         int64 microseconds since 2000-01-01 00:00 (UTC)
 *   numeric               int16 ndigits, weight, sign, dscale, then ndigits base-10000 digits
 *   text, varchar, bpchar UTF-8 bytes
 */
import { formatDate, formatTimestamp, parseDate, parseTimestamp, parseTimestampTz } from '../engine/index.js';
import { OID } from './pg-types.js';
import type { MessageWriter } from './protocol/writer.js';

/** PostgreSQL's epoch (2000-01-01) in days and microseconds after Unix's. */
const PG_EPOCH_DAYS = 10_957;
const PG_EPOCH_US = PG_EPOCH_DAYS * 86_400_000_000;

/** A binary value that does not fit its type (a 3-byte int4): the Bind is refused with 22P03 invalid_binary_representation. */
export class BinaryFormatError extends Error {}

/** Types whose values may be sent and received in binary. */
export function hasBinary(oid: number): boolean {
  switch (oid) {
    case OID.bool:
    case OID.int2:
    case OID.int4:
    case OID.int8:
    case OID.float4:
    case OID.float8:
    case OID.date:
    case OID.timestamp:
    case OID.timestamptz:
    case OID.numeric:
    case OID.text:
    case OID.varchar:
    case OID.bpchar:
    case OID.unknown:
      return true;
    default:
      return false;
  }
}

/** A binary parameter of type `oid` in keel's text form. */
export function readBinary(oid: number, b: Buffer): string {
  const size = (n: number) => {
    if (b.length !== n) throw new BinaryFormatError(`a binary value of type ${oid} takes ${n} bytes, not ${b.length}`);
  };
  switch (oid) {
    case OID.bool:
      size(1);
      return b[0] !== 0 ? 'true' : 'false';
    case OID.int2:
      size(2);
      return String(b.readInt16BE(0));
    case OID.int4:
      size(4);
      return String(b.readInt32BE(0));
    case OID.int8:
      size(8);
      return b.readBigInt64BE(0).toString();
    case OID.float4:
      size(4);
      return floatText(b.readFloatBE(0));
    case OID.float8:
      size(8);
      return floatText(b.readDoubleBE(0));
    case OID.date:
      size(4);
      return formatDate(b.readInt32BE(0) + PG_EPOCH_DAYS);
    case OID.timestamp:
    case OID.timestamptz: {
      size(8);
      const text = formatTimestamp(Number(b.readBigInt64BE(0)) + PG_EPOCH_US);
      return oid === OID.timestamptz ? `${text}+00` : text;
    }
    case OID.numeric:
      return readNumeric(b);
    default:
      return b.toString('utf8');
  }
}

function floatText(x: number): string {
  return Number.isNaN(x) ? 'NaN' : x === Infinity ? 'Infinity' : x === -Infinity ? '-Infinity' : String(x);
}

const NUMERIC_NEG = 0x4000;
const NUMERIC_NAN = 0xc000;

/** numeric_recv: base-10000 digits, the first at 10000^weight, as decimal text with dscale digits after the point. */
function readNumeric(b: Buffer): string {
  if (b.length < 8) throw new BinaryFormatError('a binary numeric is shorter than its header');
  const ndigits = b.readInt16BE(0);
  const weight = b.readInt16BE(2);
  const sign = b.readUInt16BE(4);
  const dscale = b.readInt16BE(6);
  if (ndigits < 0 || b.length !== 8 + 2 * ndigits || dscale < 0) throw new BinaryFormatError('a binary numeric does not match its header');
  if (sign === NUMERIC_NAN) return 'NaN';
  let int = '';
  let frac = '';
  for (let i = 0; i < ndigits; i++) {
    const d = b.readInt16BE(8 + 2 * i);
    if (d < 0 || d > 9999) throw new BinaryFormatError('a binary numeric digit is out of range');
    const s = String(d).padStart(4, '0');
    if (i <= weight) int += s;
    else frac += s;
  }
  // digits the weight puts beyond the last one sent are zeros; those before the first fractional one too
  if (weight >= ndigits) int += '0000'.repeat(weight - ndigits + 1);
  if (weight < -1) frac = '0000'.repeat(-weight - 1) + frac;
  int = int.replace(/^0+/, '') || '0';
  frac = frac.padEnd(dscale, '0').slice(0, dscale);
  return `${sign === NUMERIC_NEG ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

/** Decimal text (as keel writes a DECIMAL: digits, an optional point and fraction, an optional sign) as numeric_send's bytes. */
export function numericBinary(text: string): Buffer {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m) throw new BinaryFormatError(`"${text}" is not a decimal`);
  const neg = m[1] === '-';
  const intDigits = (m[2] ?? '').replace(/^0+/, '');
  const fracDigits = m[3] ?? '';
  const dscale = fracDigits.length;
  // group into base-10000 digits aligned on the decimal point
  const intPadded = intDigits.padStart(Math.ceil(intDigits.length / 4) * 4, '0');
  const fracPadded = fracDigits.padEnd(Math.ceil(fracDigits.length / 4) * 4, '0');
  const groups: number[] = [];
  for (let i = 0; i < intPadded.length; i += 4) groups.push(Number(intPadded.slice(i, i + 4)));
  for (let i = 0; i < fracPadded.length; i += 4) groups.push(Number(fracPadded.slice(i, i + 4)));
  let weight = intPadded.length / 4 - 1;
  // leading and trailing zero digits are not sent
  let first = 0;
  while (first < groups.length && groups[first] === 0) {
    first++;
    weight--;
  }
  let last = groups.length;
  while (last > first && groups[last - 1] === 0) last--;
  const digits = groups.slice(first, last);
  const out = Buffer.allocUnsafe(8 + 2 * digits.length);
  out.writeInt16BE(digits.length, 0);
  out.writeInt16BE(digits.length === 0 ? 0 : weight, 2);
  out.writeUInt16BE(neg && digits.length > 0 ? NUMERIC_NEG : 0, 4);
  out.writeInt16BE(dscale, 6);
  digits.forEach((d, i) => out.writeInt16BE(d, 8 + 2 * i));
  return out;
}

/** Writes one value, given as keel's text for the column, as a DataRow field (length, then bytes) in binary. */
export type BinaryOut = (w: MessageWriter, keelText: string) => void;

/** The binary writer for a result column of type `oid`. */
export function binaryOut(oid: number): BinaryOut {
  switch (oid) {
    case OID.bool:
      return (w, s) => w.int32(1).byte(s === 'true' ? 1 : 0);
    case OID.int2:
      return (w, s) => w.int32(2).int16(Number(s));
    case OID.int4:
      return (w, s) => w.int32(4).int32(Number(s));
    case OID.int8:
      return (w, s) => w.int32(8).int64(BigInt(s));
    case OID.float4:
      return (w, s) => w.int32(4).float4(Number(s));
    case OID.float8:
      return (w, s) => w.int32(8).float8(Number(s));
    case OID.date:
      return (w, s) => w.int32(4).int32(parseDate(s) - PG_EPOCH_DAYS);
    case OID.timestamp:
      return (w, s) => w.int32(8).int64(BigInt(parseTimestamp(s) - PG_EPOCH_US));
    case OID.timestamptz:
      return (w, s) => w.int32(8).int64(BigInt(parseTimestampTz(s) - PG_EPOCH_US));
    case OID.numeric:
      return (w, s) => {
        const b = numericBinary(s);
        w.int32(b.length).raw(b);
      };
    default:
      return (w, s) => w.lengthPrefixed(s);
  }
}
