/** Shared SQL for JSON-lines files: the lines Athena sees (trimmed bodies, blank lines skipped) and DuckDB's NDJSON record view of the same files. */
import { linesReader, perCompression, type FileRef } from './serde-readers.js';

/** Characters trimmed around a line: what DuckDB's NDJSON reader trims around a record (space, \t, \v, \f, \r). */
const TRIMMED = `' ' || chr(9) || chr(11) || chr(12) || chr(13)`;
const TRIMMED_SET = `(' ', chr(9), chr(11), chr(12), chr(13))`;
/** The trimmed line; trim() is costly, so it only runs on lines that start or end with such a character. */
const BODY = `CASE WHEN line[1] IN ${TRIMMED_SET} OR line[-1] IN ${TRIMMED_SET} THEN trim(line, ${TRIMMED}) ELSE line END`;

/** Longest line or record read, in bytes (both readers fail on longer ones). */
export const MAX_LINE_BYTES = 8_388_608;

/**
 * Non-blank lines of the files as `filename`, `line` (as read) and `body` (trimmed): lines split on `\n`, `\r\n` and
 * `\r` as Hadoop's line reader does; lines of only whitespace are skipped.
 */
export function jsonLines(files: readonly FileRef[]): string {
  return `(SELECT filename, line, body FROM (SELECT filename, line, ${BODY} AS body FROM ${linesReader(files)} WHERE line IS NOT NULL) WHERE body <> '')`;
}

/** SQL: the trimmed line `body` is a JSON object (a line Athena reads as a row rather than a malformed one). */
export const isObject = (body: string): string => `json_valid(${body}) AND starts_with(${body}, '{')`;

/** The `compression` option of DuckDB's JSON readers for a `compressionOf` value (they call `none` `uncompressed`). */
export const jsonCompression = (c: string): string => (c === 'none' ? 'uncompressed' : c);

/**
 * DuckDB's NDJSON view of the files (`filename`, `json`): one row per `\n`-separated line that is not only whitespace,
 * `json` the record's text trimmed, NULL when malformed.
 */
export function ndjsonRecords(files: readonly FileRef[]): string {
  return perCompression(
    files,
    (list, c) => `read_ndjson_objects(${list}, ignore_errors = true, filename = true, maximum_object_size = ${MAX_LINE_BYTES}, compression = '${jsonCompression(c)}')`,
  );
}
