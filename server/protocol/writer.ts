/**
 * Builds backend messages into one growing buffer: a message is begun with its
 * type byte, its fields appended, and its length patched in when it ends. The
 * caller takes the bytes written so far (take) and hands them to the socket,
 * so a large result goes out in chunks rather than one buffer per row.
 */
export class MessageWriter {
  private buf: Buffer;
  private at = 0;
  /** Where the current message's length field is. */
  private lengthAt = -1;

  constructor(initialBytes = 16 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /** Bytes written and not yet taken. */
  get size(): number {
    return this.at;
  }

  begin(type: string): this {
    this.ensure(5);
    this.buf[this.at] = type.charCodeAt(0);
    this.lengthAt = this.at + 1;
    this.at += 5;
    return this;
  }

  end(): this {
    this.buf.writeInt32BE(this.at - this.lengthAt, this.lengthAt);
    this.lengthAt = -1;
    return this;
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.at);
    this.at += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.at);
    this.at += 4;
    return this;
  }

  int64(v: bigint): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(v, this.at);
    this.at += 8;
    return this;
  }

  float4(v: number): this {
    this.ensure(4);
    this.buf.writeFloatBE(v, this.at);
    this.at += 4;
    return this;
  }

  float8(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.at);
    this.at += 8;
    return this;
  }

  byte(v: number): this {
    this.ensure(1);
    this.buf[this.at++] = v;
    return this;
  }

  /** A string and its NUL terminator. */
  cstring(s: string): this {
    this.ensure(Buffer.byteLength(s) + 1);
    this.at += this.buf.write(s, this.at, 'utf8');
    this.buf[this.at++] = 0;
    return this;
  }

  /** A length-prefixed value (DataRow's column): -1 for NULL, else the UTF-8 byte count and the bytes. */
  lengthPrefixed(s: string | null): this {
    if (s === null) return this.int32(-1);
    const n = Buffer.byteLength(s);
    this.ensure(4 + n);
    this.buf.writeInt32BE(n, this.at);
    this.at += 4;
    this.at += this.buf.write(s, this.at, 'utf8');
    return this;
  }

  raw(bytes: Uint8Array): this {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.at);
    this.at += bytes.length;
    return this;
  }

  /** A copy of the complete messages written so far; the writer starts over (an unfinished message stays). */
  take(): Buffer {
    const upto = this.lengthAt >= 0 ? this.lengthAt - 1 : this.at;
    const out = Buffer.from(this.buf.subarray(0, upto));
    this.buf.copy(this.buf, 0, upto, this.at);
    this.at -= upto;
    if (this.lengthAt >= 0) this.lengthAt -= upto;
    return out;
  }

  private ensure(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(grown, 0, 0, this.at);
    this.buf = grown;
  }
}
