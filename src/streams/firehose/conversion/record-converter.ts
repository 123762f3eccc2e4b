/** Converts one Firehose record (JSON objects, concatenated or one per line) into typed rows for a Glue schema, or a per-record failure. */
import { parseConversionSchema } from './conversion-config.js';
import { someHiveType } from './hive-type.js';
import { JsonSyntaxError, LosslessNumber, parseJsonValues } from './json-text.js';
import { MALFORMED_DATA, PARSE_ERROR, type ConversionColumn, type ConvertedRow, type JsonDeserializer, type RecordFailure } from './model.js';
import { hiveTimestampParser, parseOpenXTimestamp } from './timestamp-formats.js';
import { compileStructReader, MalformedValue, PrecisionLost, type CoercionOptions } from './value-coercion.js';

export type ConvertResult = { ok: true; rows: unknown[] } | { ok: false; errorCode: string; errorMessage: string };

/** A run of 16+ digit characters: some number may not survive a round trip through a double. */
const LONG_NUMBER = /[0-9.]{16}/;
/** Above this precision a decimal may need more digits than a double keeps (15). */
const DOUBLE_DIGITS = 15;

function coercionOptions(d: JsonDeserializer): CoercionOptions {
  if (d.kind === 'hive') {
    return {
      lowerCaseKeys: true,
      lowerCaseMapKeys: false,
      dotsToUnderscores: false,
      mappings: new Map(),
      lenientStrings: false,
      nestedToString: false,
      arrayAsStruct: false,
      parseTimestamp: hiveTimestampParser(d.timestampFormats),
    };
  }
  return {
    lowerCaseKeys: d.caseInsensitive,
    lowerCaseMapKeys: d.caseInsensitive,
    dotsToUnderscores: d.convertDotsInJsonKeysToUnderscores,
    mappings: new Map(Object.entries(d.columnToJsonKeyMappings).map(([col, key]) => [col.toLowerCase(), key])),
    lenientStrings: true,
    nestedToString: true,
    arrayAsStruct: true,
    parseTimestamp: parseOpenXTimestamp,
  };
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return v instanceof LosslessNumber ? 'number' : typeof v;
}

export class RecordConverter {
  readonly #read: (obj: Record<string, unknown>) => ConvertedRow;
  /** The schema has decimals wider than a double: records with long digit runs are parsed keeping every digit. */
  readonly #precise: boolean;

  /** Throws ConversionSchemaError when a column type is malformed or names clash. */
  constructor(columns: readonly ConversionColumn[], deserializer: JsonDeserializer) {
    const fields = parseConversionSchema(columns, deserializer);
    this.#read = compileStructReader(fields, coercionOptions(deserializer));
    this.#precise = fields.some((f) => someHiveType(f.type, (t) => t.kind === 'decimal' && t.precision > DOUBLE_DIGITS));
  }

  /** All rows of one record, or why the whole record fails (ParseError / MalformedData). */
  convert(record: Buffer): ConvertResult {
    const text = record.toString('utf8');
    try {
      return this.#convert(text, this.#precise && LONG_NUMBER.test(text));
    } catch (e) {
      // A bigint beyond 2^53 came through JSON.parse: parse again keeping every digit.
      if (e instanceof PrecisionLost) return this.#convert(text, true);
      throw e;
    }
  }

  #convert(text: string, precise: boolean): ConvertResult {
    let values: unknown[];
    try {
      if (precise) values = parseJsonValues(text, true);
      else {
        try {
          values = [JSON.parse(text)];
        } catch {
          values = parseJsonValues(text, false);
        }
      }
    } catch (e) {
      if (!(e instanceof JsonSyntaxError)) throw e;
      return { ok: false, errorCode: PARSE_ERROR, errorMessage: `Record is not valid JSON: ${e.message}` };
    }
    if (values.length === 0) return { ok: false, errorCode: PARSE_ERROR, errorMessage: 'Record is empty: expected a JSON object' };
    const rows: unknown[] = [];
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof LosslessNumber) {
        const found = kindOf(v);
        const hint = found === 'array' ? ' (a top-level JSON array is not supported)' : '';
        return { ok: false, errorCode: PARSE_ERROR, errorMessage: `Expected a JSON object but found ${found === 'array' ? 'an array' : `a ${found}`}${hint}` };
      }
      try {
        rows.push(this.#read(v as Record<string, unknown>));
      } catch (e) {
        if (!(e instanceof MalformedValue)) throw e;
        const where = values.length > 1 ? ` (JSON object ${i + 1} of ${values.length} in the record)` : '';
        return { ok: false, errorCode: MALFORMED_DATA, errorMessage: `Column '${e.column}': ${e.reason}${where}` };
      }
    }
    return { ok: true, rows };
  }

  /** Converts a batch: the rows of every good record, in order, and one failure per bad record. */
  convertBatch(records: readonly Buffer[]): { rows: unknown[]; failures: RecordFailure[] } {
    const rows: unknown[] = [];
    const failures: RecordFailure[] = [];
    for (let index = 0; index < records.length; index++) {
      const r = this.convert(records[index] as Buffer);
      if (r.ok) for (const row of r.rows) rows.push(row);
      else failures.push({ index, errorCode: r.errorCode, errorMessage: r.errorMessage });
    }
    return { rows, failures };
  }
}
