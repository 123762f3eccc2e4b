/** Recursive-descent parser for Athena's Hive DDL (CREATE/DROP DATABASE and TABLE, ALTER TABLE, MSCK, SHOW, DESCRIBE, views); errors are Hive ParseExceptions with ANTLR positions. */
import type { ColumnDef, CreateTable, PartitionSpec, Properties, RowFormat, Statement, StoredAs } from './ddl-ast.js';
import { ParserBase } from './ddl-parser-base.js';
import { tokenize } from './ddl-tokenizer.js';

export { DdlSyntaxError } from './ddl-tokenizer.js';

class Parser extends ParserBase {
  // ---- statements ----

  statement(): Statement {
    if (this.accept('CREATE')) return this.create();
    if (this.accept('DROP')) return this.drop();
    if (this.accept('ALTER')) return this.alter();
    if (this.accept('MSCK')) {
      this.accept('REPAIR');
      this.expect('msck statement', 'TABLE');
      const table = this.qname('msck statement');
      this.end('msck statement');
      return { kind: 'msck', table };
    }
    if (this.accept('SHOW')) return this.show();
    if (this.accept('DESCRIBE') || this.accept('DESC')) return this.describe();
    return this.fail('statement');
  }

  create(): Statement {
    const ctx = 'create statement';
    if (this.accept('DATABASE') || this.accept('SCHEMA')) {
      const ifNotExists = this.accept('IF', 'NOT', 'EXISTS');
      const name = this.ident(ctx);
      let comment: string | undefined;
      let location: string | undefined;
      let properties: Properties = [];
      for (;;) {
        if (this.accept('COMMENT')) comment = this.string(ctx);
        else if (this.accept('LOCATION')) location = this.string(ctx);
        else if (this.accept('WITH', 'DBPROPERTIES')) properties = this.properties(ctx);
        else break;
      }
      this.end(ctx);
      return { kind: 'createDatabase', name, ifNotExists, comment, location, properties };
    }
    const replace = this.accept('OR', 'REPLACE');
    if (this.accept('VIEW')) {
      const table = this.qname('create view statement');
      while (!this.is('AS') && !this.atEnd) this.i++;
      this.expect('create view statement', 'AS');
      if (this.atEnd) this.fail('create view statement');
      return { kind: 'createView', replace, table, sql: this.rest() };
    }
    if (replace) this.fail(ctx);
    const external = this.accept('EXTERNAL');
    this.expect(ctx, 'TABLE');
    return this.createTable(external);
  }

  createTable(external: boolean): CreateTable {
    const ctx = 'create table statement';
    const ifNotExists = this.accept('IF', 'NOT', 'EXISTS');
    const table = this.qname(ctx);
    const columns = this.is('(') ? this.columns(ctx) : [];
    let comment: string | undefined;
    let partitionedBy: ColumnDef[] = [];
    let clusteredBy: CreateTable['clusteredBy'];
    let rowFormat: RowFormat | undefined;
    let storedAs: StoredAs | undefined;
    let location: string | undefined;
    let tblProperties: Properties = [];
    if (this.accept('COMMENT')) comment = this.string(ctx);
    if (this.accept('PARTITIONED', 'BY')) partitionedBy = this.columns(ctx);
    if (this.accept('CLUSTERED', 'BY')) {
      this.expect(ctx, '(');
      const cols: string[] = [];
      do cols.push(this.ident(ctx));
      while (this.accept(','));
      this.expect(ctx, ')');
      this.expect(ctx, 'INTO');
      const buckets = this.number(ctx);
      this.expect(ctx, 'BUCKETS');
      clusteredBy = { columns: cols, buckets };
    }
    if (this.accept('ROW', 'FORMAT')) rowFormat = this.rowFormat(ctx);
    if (this.accept('STORED', 'AS')) {
      if (this.accept('INPUTFORMAT')) {
        const input = this.string(ctx);
        this.expect(ctx, 'OUTPUTFORMAT');
        storedAs = { kind: 'io', input, output: this.string(ctx) };
      } else {
        const t = this.tok;
        if (t.type !== 'word') this.fail(ctx);
        this.i++;
        storedAs = { kind: 'format', format: t.value.toUpperCase() };
      }
    }
    if (this.accept('LOCATION')) location = this.string(ctx);
    if (this.accept('TBLPROPERTIES')) tblProperties = this.properties(ctx);
    if (this.is('AS')) this.fail(ctx);
    this.end(ctx);
    return { kind: 'createTable', external, ifNotExists, table, columns, comment, partitionedBy, clusteredBy, rowFormat, storedAs, location, tblProperties };
  }

  rowFormat(ctx: string): RowFormat {
    if (this.accept('SERDE')) {
      const serde = this.string(ctx);
      const properties = this.accept('WITH', 'SERDEPROPERTIES') ? this.properties(ctx) : [];
      return { kind: 'serde', serde, properties };
    }
    this.expect(ctx, 'DELIMITED');
    const f: { fields?: string; escaped?: string; collection?: string; mapKeys?: string; lines?: string; nullAs?: string } = {};
    for (;;) {
      if (this.accept('FIELDS', 'TERMINATED', 'BY')) {
        f.fields = this.string(ctx);
        if (this.accept('ESCAPED', 'BY')) f.escaped = this.string(ctx);
      } else if (this.accept('COLLECTION', 'ITEMS', 'TERMINATED', 'BY')) f.collection = this.string(ctx);
      else if (this.accept('MAP', 'KEYS', 'TERMINATED', 'BY')) f.mapKeys = this.string(ctx);
      else if (this.accept('LINES', 'TERMINATED', 'BY')) f.lines = this.string(ctx);
      else if (this.accept('NULL', 'DEFINED', 'AS')) f.nullAs = this.string(ctx);
      else break;
    }
    return { kind: 'delimited', ...f };
  }

  drop(): Statement {
    const ctx = 'drop statement';
    if (this.accept('DATABASE') || this.accept('SCHEMA')) {
      const ifExists = this.accept('IF', 'EXISTS');
      const name = this.ident(ctx);
      const cascade = this.accept('CASCADE');
      if (!cascade) this.accept('RESTRICT');
      this.end(ctx);
      return { kind: 'dropDatabase', name, ifExists, cascade };
    }
    const view = this.accept('VIEW');
    if (!view) this.expect(ctx, 'TABLE');
    const ifExists = this.accept('IF', 'EXISTS');
    const table = this.qname(ctx);
    this.accept('PURGE');
    this.end(ctx);
    return view ? { kind: 'dropView', table, ifExists } : { kind: 'dropTable', table, ifExists };
  }

  alter(): Statement {
    const ctx = 'alter table statement';
    this.expect(ctx, 'TABLE');
    const table = this.qname(ctx);
    let st: Statement;
    if (this.accept('ADD')) {
      if (this.accept('COLUMNS')) st = { kind: 'addColumns', table, columns: this.columns(ctx) };
      else {
        const ifNotExists = this.accept('IF', 'NOT', 'EXISTS');
        const partitions: { spec: PartitionSpec; location: string | undefined }[] = [];
        if (!this.is('PARTITION')) this.fail(ctx);
        while (this.accept('PARTITION')) {
          const spec = this.partitionSpec(ctx);
          partitions.push({ spec, location: this.accept('LOCATION') ? this.string(ctx) : undefined });
        }
        st = { kind: 'addPartitions', table, ifNotExists, partitions };
      }
    } else if (this.accept('DROP')) {
      const ifExists = this.accept('IF', 'EXISTS');
      const specs: PartitionSpec[] = [];
      do {
        this.expect(ctx, 'PARTITION');
        specs.push(this.partitionSpec(ctx));
      } while (this.accept(','));
      st = { kind: 'dropPartitions', table, ifExists, specs };
    } else if (this.accept('REPLACE', 'COLUMNS')) {
      st = { kind: 'replaceColumns', table, columns: this.columns(ctx) };
    } else if (this.accept('CHANGE')) {
      this.accept('COLUMN');
      const from = this.ident(ctx);
      const name = this.ident(ctx);
      const type = this.type(ctx);
      const comment = this.accept('COMMENT') ? this.string(ctx) : undefined;
      const position = this.accept('FIRST') ? { first: true as const } : this.accept('AFTER') ? { after: this.ident(ctx) } : undefined;
      st = { kind: 'changeColumn', table, from, column: { name, type, comment }, position };
    } else if (this.accept('PARTITION')) {
      const spec = this.partitionSpec(ctx);
      if (this.accept('RENAME', 'TO', 'PARTITION')) st = { kind: 'renamePartition', table, from: spec, to: this.partitionSpec(ctx) };
      else {
        this.expect(ctx, 'SET', 'LOCATION');
        st = { kind: 'partitionSetLocation', table, spec, location: this.string(ctx) };
      }
    } else if (this.accept('SET')) {
      if (this.accept('TBLPROPERTIES')) st = { kind: 'setTblProperties', table, properties: this.properties(ctx) };
      else if (this.accept('LOCATION')) st = { kind: 'setLocation', table, location: this.string(ctx) };
      else if (this.accept('SERDEPROPERTIES')) st = { kind: 'setSerdeProperties', table, serde: undefined, properties: this.properties(ctx) };
      else if (this.accept('SERDE')) {
        const serde = this.string(ctx);
        st = { kind: 'setSerdeProperties', table, serde, properties: this.accept('WITH', 'SERDEPROPERTIES') ? this.properties(ctx) : [] };
      } else return this.fail(ctx);
    } else return this.fail(ctx);
    this.end(ctx);
    return st;
  }

  showPattern(): string | undefined {
    this.accept('LIKE');
    const t = this.tok;
    return t.type === 'string' || t.type === 'dstring' ? this.string('show statement') : undefined;
  }

  show(): Statement {
    const ctx = 'show statement';
    let st: Statement;
    if (this.accept('DATABASES') || this.accept('SCHEMAS')) st = { kind: 'showDatabases', pattern: this.showPattern() };
    else if (this.is('TABLES') || this.is('VIEWS')) {
      const kind = this.accept('TABLES') ? 'showTables' : (this.accept('VIEWS'), 'showViews');
      const db = this.accept('IN') || this.accept('FROM') ? this.ident(ctx) : undefined;
      st = { kind, db, pattern: this.showPattern() };
    } else if (this.accept('PARTITIONS')) st = { kind: 'showPartitions', table: this.qname(ctx) };
    else if (this.accept('CREATE', 'TABLE')) st = { kind: 'showCreateTable', table: this.qname(ctx) };
    else if (this.accept('CREATE', 'VIEW')) st = { kind: 'showCreateView', table: this.qname(ctx) };
    else if (this.accept('COLUMNS')) {
      if (!this.accept('IN')) this.expect(ctx, 'FROM');
      let table = this.qname(ctx);
      if (this.accept('IN') || this.accept('FROM')) {
        const db = this.ident(ctx);
        table = { ...table, db };
      }
      st = { kind: 'showColumns', table };
    } else if (this.accept('TBLPROPERTIES')) {
      const table = this.qname(ctx);
      let key: string | undefined;
      if (this.accept('(')) {
        key = this.string(ctx);
        this.expect(ctx, ')');
      }
      st = { kind: 'showTblProperties', table, key };
    } else return this.fail(ctx);
    this.end(ctx);
    return st;
  }

  describe(): Statement {
    const ctx = 'describe statement';
    if (this.is('TABLE')) this.fail(ctx);
    const mode = this.accept('FORMATTED') ? 'formatted' : this.accept('EXTENDED') ? 'extended' : 'plain';
    const table = this.qname(ctx);
    const partition = this.accept('PARTITION') ? this.partitionSpec(ctx) : undefined;
    const column = this.atEnd ? undefined : this.ident(ctx);
    this.end(ctx);
    return { kind: 'describe', table, mode, partition, column };
  }
}

/** Parses one Hive DDL statement; throws DdlSyntaxError (`line L:C cannot recognize input near …`). */
export function parseDdl(sql: string): Statement {
  const tokens = tokenize(sql);
  return new Parser(sql, tokens).statement();
}
