/** Glue (Hive DDL) column types → the DML type names Athena shows in `information_schema` (`string` → `varchar`, `array<int>` → `array(integer)`). */
import type { HiveType } from '../../streams/firehose/conversion/model.js';
import { parseHiveType } from '../../streams/firehose/conversion/hive-type.js';

const PRIMITIVE: Readonly<Record<string, string>> = {
  boolean: 'boolean',
  tinyint: 'tinyint',
  smallint: 'smallint',
  int: 'integer',
  bigint: 'bigint',
  float: 'real',
  double: 'double',
  string: 'varchar',
  date: 'date',
  timestamp: 'timestamp(3)',
  binary: 'varbinary',
};

/** Trino quotes row field names that are not plain identifiers. */
const fieldName = (name: string): string => (/^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`);

function render(t: HiveType): string {
  switch (t.kind) {
    case 'decimal':
      return `decimal(${t.precision},${t.scale})`;
    case 'char':
    case 'varchar':
      return `${t.kind}(${t.length})`;
    case 'array':
      return `array(${render(t.element)})`;
    case 'map':
      return `map(${render(t.key)}, ${render(t.value)})`;
    case 'struct':
      return `row(${t.fields.map((f) => `${fieldName(f.name)} ${render(f.type)}`).join(', ')})`;
    default:
      return PRIMITIVE[t.kind] ?? t.kind;
  }
}

/** The DML name of a Glue column type; types Lakebox cannot parse are shown as stored, lower-cased. */
export function dmlTypeName(hiveType: string | undefined): string {
  const text = (hiveType ?? 'string').trim();
  try {
    return render(parseHiveType(text));
  } catch {
    return text.toLowerCase();
  }
}
