/** Reads a PutRecordBatch body straight from its bytes (no 200 KB string, no JSON.parse): the same object JSON.parse gives, or undefined for anything beyond the plain shape. */

/** PutRecordBatch input as JSON.parse would return it for the plain shape. */
export interface ScannedPutRecordBatch {
  DeliveryStreamName?: string;
  Records?: { Data: string }[];
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const DATA_KEY = Buffer.from('"Data"');

class Bail extends Error {}
const BAIL = new Bail();

/**
 * Scans `{"DeliveryStreamName":"…","Records":[{"Data":"…"},…]}` with any JSON whitespace and member order.
 * Anything else — an escape anywhere in the body, other members or types, a record with more than `Data`,
 * trailing bytes — returns undefined and the caller parses the body with JSON.parse, so the result never
 * differs from JSON.parse's for a valid request. `Data` strings are read as latin1 without checking each byte:
 * base64's alphabet is ASCII, and a Data value with other bytes (non-ASCII, raw control characters) fails base64
 * validation later, a SerializationException as on the JSON.parse path (with another message).
 */
export function scanPutRecordBatch(body: Buffer): ScannedPutRecordBatch | undefined {
  if (body.indexOf(BACKSLASH) !== -1) return undefined;
  let pos = 0;
  const ws = (): void => {
    for (;;) {
      const c = body[pos];
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else return;
    }
  };
  const expect = (c: number): void => {
    ws();
    if (body[pos] !== c) throw BAIL;
    pos++;
  };
  /** The raw bytes of a string at `pos` (after whitespace): [start, end) without the quotes. */
  const string = (): [number, number] => {
    expect(QUOTE);
    const start = pos;
    const end = body.indexOf(QUOTE, start);
    if (end < 0) throw BAIL;
    pos = end + 1;
    return [start, end];
  };
  const noControl = (start: number, end: number): void => {
    for (let i = start; i < end; i++) if (body[i]! < 0x20) throw BAIL;
  };
  try {
    const out: ScannedPutRecordBatch = {};
    expect(0x7b); // {
    ws();
    if (body[pos] === 0x7d) pos++;
    else {
      for (;;) {
        const [ks, ke] = string();
        const key = body.toString('latin1', ks, ke);
        expect(0x3a); // :
        if (key === 'DeliveryStreamName') {
          const [s, e] = string();
          noControl(s, e);
          out.DeliveryStreamName = body.toString('utf8', s, e);
        } else if (key === 'Records') {
          out.Records = records();
        } else throw BAIL;
        ws();
        const c = body[pos++];
        if (c === 0x7d) break; // }
        if (c !== 0x2c) throw BAIL; // ,
      }
    }
    ws();
    if (pos !== body.length) throw BAIL;
    return out;
  } catch (err) {
    if (err instanceof Bail) return undefined;
    throw err;
  }

  function records(): { Data: string }[] {
    const list: { Data: string }[] = [];
    expect(0x5b); // [
    ws();
    if (body[pos] === 0x5d) {
      pos++;
      return list;
    }
    for (;;) {
      expect(0x7b); // {
      ws();
      // Byte by byte: a subarray + equals per record costs more than the whole comparison.
      for (let i = 0; i < DATA_KEY.length; i++) if (body[pos + i] !== DATA_KEY[i]) throw BAIL;
      pos += DATA_KEY.length;
      expect(0x3a); // :
      const [s, e] = string();
      list.push({ Data: body.toString('latin1', s, e) });
      expect(0x7d); // }
      ws();
      const c = body[pos++];
      if (c === 0x5d) return list; // ]
      if (c !== 0x2c) throw BAIL;
    }
  }
}
