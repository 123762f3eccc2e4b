/** Classifies an Athena statement by its leading keywords (comments skipped): StatementType, SubstatementType and where it runs (engine, DDL port, prepared-statement store). */
import type { StatementType } from './model.js';

export type Route = 'engine' | 'explain' | 'ddl' | 'execute' | 'prepare' | 'deallocate' | 'write' | 'unsupported';

export interface Classified {
  readonly statementType: StatementType;
  readonly substatementType: string;
  readonly route: Route;
}

/** The statement text without leading whitespace and comments, and a trailing `;`. */
export function stripStatement(sql: string): string {
  let s = sql;
  for (;;) {
    const t = s.replace(/^\s+/, '');
    if (t.startsWith('--')) {
      const nl = t.indexOf('\n');
      s = nl < 0 ? '' : t.slice(nl + 1);
    } else if (t.startsWith('/*')) {
      const end = t.indexOf('*/');
      s = end < 0 ? '' : t.slice(end + 2);
    } else {
      s = t;
      break;
    }
  }
  return s.replace(/[\s;]+$/, '');
}

/** Leading words, upper-cased (identifiers in backticks/quotes stop the scan). */
function words(sql: string, n: number): string[] {
  return (stripStatement(sql).match(/^(?:[A-Za-z_]+\s*)+/)?.[0] ?? '').trim().split(/\s+/).slice(0, n).map((w) => w.toUpperCase());
}

const ddl = (sub: string): Classified => ({ statementType: 'DDL', substatementType: sub, route: 'ddl' });
const utility = (sub: string): Classified => ({ statementType: 'UTILITY', substatementType: sub, route: 'ddl' });

export function classify(sql: string): Classified {
  const text = stripStatement(sql);
  if (text.startsWith('(')) return { statementType: 'DML', substatementType: 'SELECT', route: 'engine' };
  const w = words(text, 4);
  const [a = '', b = '', c = ''] = w;
  switch (a) {
    case 'SELECT':
    case 'WITH':
    case 'VALUES':
    case 'TABLE':
      return { statementType: 'DML', substatementType: 'SELECT', route: 'engine' };
    case 'EXPLAIN':
      return { statementType: 'DML', substatementType: 'EXPLAIN', route: 'explain' };
    case 'EXECUTE':
      return { statementType: 'DML', substatementType: 'SELECT', route: 'execute' };
    case 'PREPARE':
      return { statementType: 'UTILITY', substatementType: 'PREPARE', route: 'prepare' };
    case 'DEALLOCATE':
      return { statementType: 'UTILITY', substatementType: 'DEALLOCATE', route: 'deallocate' };
    case 'INSERT':
    case 'UNLOAD':
      return { statementType: 'DML', substatementType: a, route: 'write' };
    case 'UPDATE':
    case 'DELETE':
    case 'MERGE':
      return { statementType: 'DML', substatementType: a, route: 'unsupported' };
    case 'VACUUM':
      return { statementType: 'DML', substatementType: 'VACUUM_TABLE', route: 'unsupported' };
    case 'OPTIMIZE':
      return { statementType: 'DDL', substatementType: 'CREATE_TABLE_AS_SELECT', route: 'unsupported' };
    case 'DESCRIBE':
    case 'DESC':
      return utility('DESCRIBE_TABLE');
    case 'SHOW': {
      if (b === 'CREATE') return utility(`SHOW_CREATE_${c === 'VIEW' ? 'VIEW' : 'TABLE'}`);
      const what = b === 'SCHEMAS' ? 'DATABASES' : b;
      return utility(`SHOW_${what || 'UNKNOWN'}`);
    }
    case 'MSCK':
      return ddl('MSCK_REPAIR_TABLE');
    case 'CREATE': {
      const kind = b === 'OR' ? w[3] ?? '' : b === 'EXTERNAL' ? c : b;
      if (kind === 'DATABASE' || kind === 'SCHEMA') return ddl('CREATE_DATABASE');
      if (kind === 'VIEW') return ddl('CREATE_VIEW');
      if (kind === 'TABLE' && b !== 'EXTERNAL' && /\)\s*AS\s|\bAS\s+(SELECT|WITH|\()/i.test(text) && !/\bLOCATION\b/i.test(text.split(/\bAS\b/i)[0] ?? '')) {
        return { statementType: 'DDL', substatementType: 'CREATE_TABLE_AS_SELECT', route: 'write' };
      }
      return ddl('CREATE_TABLE');
    }
    case 'DROP': {
      const kind = b === 'SCHEMA' ? 'DATABASE' : b;
      return ddl(`DROP_${kind || 'UNKNOWN'}`);
    }
    case 'ALTER': {
      const upper = text.toUpperCase();
      if (b === 'DATABASE' || b === 'SCHEMA') return ddl('ALTER_DATABASE');
      if (/\bADD\s+COLUMNS\b/.test(upper)) return ddl('ALTER_TABLE_ADD_COLUMN');
      if (/\bREPLACE\s+COLUMNS\b/.test(upper)) return ddl('ALTER_TABLE_REPLACE_COLUMN');
      if (/\bADD\s+(IF\s+NOT\s+EXISTS\s+)?PARTITION\b/.test(upper)) return ddl('ALTER_TABLE_ADD_PARTITION');
      if (/\bDROP\s+(IF\s+EXISTS\s+)?PARTITION\b/.test(upper)) return ddl('ALTER_TABLE_DROP_PARTITION');
      if (/\bSET\s+TBLPROPERTIES\b/.test(upper)) return ddl('ALTER_TABLE_SET_TBLPROPERTIES');
      if (/\bSET\s+LOCATION\b/.test(upper)) return ddl('ALTER_TABLE_SET_LOCATION');
      if (/\bRENAME\s+TO\b/.test(upper)) return ddl('ALTER_TABLE_RENAME');
      return ddl('ALTER_TABLE');
    }
    default:
      return { statementType: 'DML', substatementType: 'SELECT', route: 'engine' };
  }
}

/** Positions of `?` placeholders outside string literals, quoted identifiers and comments. */
export function placeholderPositions(sql: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"') {
      const end = sql.indexOf(ch, i + 1);
      i = end < 0 ? sql.length : end;
      continue;
    }
    if (ch === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl;
      continue;
    }
    if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 1;
      continue;
    }
    if (ch === '?') out.push(i);
  }
  return out;
}

/** Replaces the placeholders, in order, by the given SQL texts. */
export function substitute(sql: string, values: readonly string[]): string {
  const pos = placeholderPositions(sql);
  let out = '';
  let last = 0;
  pos.forEach((p, i) => {
    out += sql.slice(last, p) + (values[i] ?? '?');
    last = p + 1;
  });
  return out + sql.slice(last);
}

/** `EXECUTE name [USING v1, v2…]` → name and the value texts (split on top-level commas). */
export function parseExecute(sql: string): { name: string; using: string[] } | undefined {
  const m = /^EXECUTE\s+("[^"]+"|[A-Za-z_][\w@:]*)\s*(?:USING\s+([\s\S]*))?$/i.exec(stripStatement(sql));
  if (!m) return undefined;
  const name = m[1]!.replace(/^"|"$/g, '');
  return { name, using: m[2] === undefined ? [] : splitTopLevel(m[2]) };
}

/** `PREPARE name FROM statement` → name and statement. */
export function parsePrepare(sql: string): { name: string; statement: string } | undefined {
  const m = /^PREPARE\s+("[^"]+"|[A-Za-z_][\w@:]*)\s+FROM\s+([\s\S]+)$/i.exec(stripStatement(sql));
  return m ? { name: m[1]!.replace(/^"|"$/g, ''), statement: m[2]! } : undefined;
}

export function parseDeallocate(sql: string): string | undefined {
  const m = /^DEALLOCATE\s+PREPARE\s+("[^"]+"|[A-Za-z_][\w@:]*)$/i.exec(stripStatement(sql));
  return m ? m[1]!.replace(/^"|"$/g, '') : undefined;
}

function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      const stop = end < 0 ? text.length : end;
      cur += text.slice(i, stop + 1);
      i = stop;
      continue;
    }
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}
