/** Minimal DdlExecutor until src/query/ddl/ lands: CREATE/DROP DATABASE, SHOW DATABASES, SHOW TABLES over the Glue catalog; anything else is refused. */
import type { CatalogService } from '../../catalog/catalog-service.js';
import { ServiceError } from '../../shared/service-error.js';
import { DdlError, type DdlContext, type DdlExecutor, type DdlResult } from './ddl-port.js';
import { stripStatement } from './statement-router.js';

const NAME = '(`[^`]+`|"[^"]+"|[A-Za-z0-9_]+)';
const unquote = (s: string): string => s.replace(/^[`"]|[`"]$/g, '').toLowerCase();

/** Hive's SHOW pattern: `*` any characters, `|` alternatives, case-insensitive. */
function showPattern(p: string | undefined): (name: string) => boolean {
  if (p === undefined) return () => true;
  const alts = p.split('|').map((a) => new RegExp(`^${a.trim().replace(/[.+?^${}()[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`, 'i'));
  return (name) => alts.some((r) => r.test(name));
}

export class BasicDdl implements DdlExecutor {
  constructor(private readonly catalog: CatalogService) {}

  async executeDdl(sql: string, ctx: DdlContext): Promise<DdlResult> {
    const text = stripStatement(sql);
    let m = new RegExp(`^CREATE\\s+(?:DATABASE|SCHEMA)\\s+(IF\\s+NOT\\s+EXISTS\\s+)?${NAME}(?:\\s+COMMENT\\s+'((?:[^']|'')*)')?(?:\\s+LOCATION\\s+'([^']*)')?`, 'i').exec(text);
    if (m) {
      const name = unquote(m[2]!);
      try {
        await this.catalog.createDatabase({
          DatabaseInput: { Name: name, ...(m[3] !== undefined ? { Description: m[3].replaceAll("''", "'") } : {}), ...(m[4] !== undefined ? { LocationUri: m[4] } : {}) },
        });
      } catch (err) {
        if (err instanceof ServiceError && err.code === 'AlreadyExistsException') {
          if (m[1] !== undefined) return { rows: [] };
          throw new DdlError(`FAILED: SemanticException [Error 10072]: Database ${name} already exists`);
        }
        throw err;
      }
      return { rows: [] };
    }
    m = new RegExp(`^DROP\\s+(?:DATABASE|SCHEMA)\\s+(IF\\s+EXISTS\\s+)?${NAME}(?:\\s+(CASCADE|RESTRICT))?$`, 'i').exec(text);
    if (m) {
      const name = unquote(m[2]!);
      try {
        this.catalog.getDatabase({ Name: name });
      } catch {
        if (m[1] !== undefined) return { rows: [] };
        throw new DdlError(`FAILED: SemanticException [Error 10072]: Database does not exist: ${name}`);
      }
      if ((m[3] ?? 'RESTRICT').toUpperCase() === 'RESTRICT' && (this.catalog.getTables({ DatabaseName: name, MaxResults: 1 }).TableList ?? []).length > 0) {
        throw new DdlError(`FAILED: Execution Error, return code 1 from org.apache.hadoop.hive.ql.exec.DDLTask. InvalidOperationException(message:Database ${name} is not empty. One or more tables exist.)`);
      }
      await this.catalog.deleteDatabase({ Name: name });
      return { rows: [] };
    }
    m = /^SHOW\s+(?:DATABASES|SCHEMAS)(?:\s+LIKE)?(?:\s+'([^']*)')?$/i.exec(text);
    if (m) {
      const match = showPattern(m[1]);
      const names: string[] = [];
      let token: string | undefined;
      do {
        const page = this.catalog.getDatabases({ NextToken: token });
        for (const d of page.DatabaseList ?? []) if (match(d.Name!)) names.push(d.Name!);
        token = page.NextToken;
      } while (token);
      return { columns: [{ name: 'database_name', type: 'string' }], rows: names.map((n) => [n]) };
    }
    m = new RegExp(`^SHOW\\s+TABLES(?:\\s+(?:IN|FROM)\\s+${NAME})?(?:\\s+(?:LIKE\\s+)?'([^']*)')?$`, 'i').exec(text);
    if (m) {
      const db = m[1] !== undefined ? unquote(m[1]) : ctx.database;
      const match = showPattern(m[2]);
      const names: string[] = [];
      let token: string | undefined;
      try {
        do {
          const page = this.catalog.getTables({ DatabaseName: db, NextToken: token });
          for (const t of page.TableList ?? []) if (match(t.Name!)) names.push(t.Name!);
          token = page.NextToken;
        } while (token);
      } catch (err) {
        if (err instanceof ServiceError && err.code === 'EntityNotFoundException') throw new DdlError(`FAILED: SemanticException [Error 10072]: Database does not exist: ${db}`);
        throw err;
      }
      return { columns: [{ name: 'tab_name', type: 'string' }], rows: names.map((n) => [n]) };
    }
    throw new DdlError(`FAILED: Lakebox does not run this statement yet: ${text.slice(0, 80)}`);
  }
}
