/** Trino's format(): a constant java.util.Formatter string rewritten to DuckDB's printf, arguments cast per conversion. */
import { castNode, constant, functionCall, stringConstant, type AstNode } from './ast.js';
import { unsupported } from './errors.js';
import { hint } from './static-types.js';
import type { Templates } from './templates.js';

/** `%[index$ or <][flags][width][.precision]conversion` (java.util.Formatter, without date/time conversions). */
const SPECIFIER = /%(\d+\$|<)?([-#+ 0,(]*)(\d+)?(\.\d+)?([tT][a-zA-Z]|[a-zA-Z%])/g;

/** How an argument reaches printf for a conversion. */
type ArgKind = 'string' | 'upper' | 'boolean' | 'integer' | 'float';

/** Conversions by letter; text ones (s, S, b, B) become printf's %s over a prepared string, the others keep their letter. */
const CONVERSIONS: Readonly<Record<string, ArgKind>> = {
  s: 'string', S: 'upper', b: 'boolean', B: 'boolean',
  d: 'integer', o: 'integer', x: 'integer', X: 'integer',
  e: 'float', E: 'float', f: 'float', g: 'float', G: 'float',
};

/** Java prints a null argument as "null" (and %b as "false"); printf would answer NULL for the whole string. */
function convert(arg: AstNode, kind: ArgKind, t: Templates): AstNode {
  switch (kind) {
    case 'string':
      return t.build('javaString', arg);
    case 'upper':
      return functionCall('upper', [t.build('javaString', arg)]);
    case 'boolean':
      return t.build('javaBoolean', arg);
    case 'integer':
      return arg;
    case 'float':
      return castNode(arg, 'DOUBLE');
  }
}

/** Rewrites `format(fmt, args…)`: `fmt` must be a constant; each conversion gets its argument in order. */
export function formatCall(args: readonly AstNode[], t: Templates): AstNode {
  const fmt = stringConstant(args[0]);
  if (fmt === undefined) throw unsupported('format: the format must be a constant string in Lakebox');
  const values = args.slice(1);
  const out: AstNode[] = [];
  let next = 0;
  let previous = -1;
  const printf = fmt.replace(SPECIFIER, (whole, index: string | undefined, flags: string, width: string | undefined, precision: string | undefined, conversion: string) => {
    if (conversion === '%') return '%%';
    if (conversion === 'n') return '\n';
    const kind = CONVERSIONS[conversion];
    if (!kind) throw unsupported(`format: the conversion '${whole}' is not supported by Lakebox (supported: %s %S %b %d %o %x %X %e %E %f %g %G %n %%)`);
    if (flags.includes('(')) throw unsupported(`format: the '(' flag ('${whole}') is not supported by Lakebox`);
    const position = index === '<' ? previous : index !== undefined ? Number(index.slice(0, -1)) - 1 : next++;
    const value = values[position];
    if (value === undefined) throw unsupported(`format: '${whole}' has no argument (Java: MissingFormatArgumentException)`);
    previous = position;
    out.push(convert(value, kind, t));
    const to = kind === 'integer' || kind === 'float' ? conversion : 's';
    return `%${flags}${width ?? ''}${precision ?? ''}${to}`;
  });
  if (fmt.replace(SPECIFIER, '').includes('%')) throw unsupported(`format: '${fmt}' is not a format string Lakebox understands`);
  return hint(functionCall('printf', [constant(printf), ...out]), 'varchar');
}
