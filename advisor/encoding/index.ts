/** Column encodings from sampled data, with a decode-speed penalty measured on this machine (docs/advisor.md, "Encodings"). */
export { chooseEncodings, chooseColumnEncoding, DEFAULT_BYTES_PER_NS, type EncodingChoice, type EncodingOptions, type CodecSize } from './choose.js';
export { decodeSpeeds, type DecodeSpeeds } from './speed.js';
export { columnReads, type ColumnReads } from './usage.js';
