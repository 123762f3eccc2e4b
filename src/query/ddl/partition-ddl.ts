/** Partition DDL on the Glue catalog: ALTER TABLE ADD/DROP/RENAME PARTITION, PARTITION SET LOCATION, SHOW PARTITIONS and MSCK REPAIR TABLE (lists the table location for `key=value` folders). */
import type { CatalogService } from '../../catalog/catalog-service.js';
import type { PartitionInput, Table } from '../../catalog/model.js';
import { ServiceError } from '../../shared/service-error.js';
import type { ObjectService } from '../../storage/object-service.js';
import type { DdlResult } from '../athena/ddl-port.js';
import type { PartitionSpec, Statement } from './ddl-ast.js';
import { HiveErrors } from './hive-errors.js';

/** Hive's FileUtils.escapePathName character set. */
const ESCAPED = new Set(['"', '#', '%', "'", '*', '/', ':', '=', '?', '\\', '\u007f', '{', '[', ']', '^']);

export function escapePathName(value: string): string {
  let out = '';
  for (const ch of value) out += ESCAPED.has(ch) || ch.charCodeAt(0) < 0x20 ? `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}` : ch;
  return out;
}

export function unescapePathName(value: string): string {
  return value.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** `k1=v1/k2=v2` (Hive's partition name). */
export function partitionName(keys: readonly string[], values: readonly string[]): string {
  return keys.map((k, i) => `${escapePathName(k)}=${escapePathName(values[i] ?? '')}`).join('/');
}

const withSlash = (loc: string): string => (loc.endsWith('/') ? loc : `${loc}/`);

function s3Location(location: string | undefined): { bucket: string; prefix: string } | undefined {
  const m = /^s3[an]?:\/\/([^/]+)\/?(.*)$/.exec(location ?? '');
  if (!m) return undefined;
  const prefix = m[2] ?? '';
  return { bucket: m[1]!, prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/` };
}

export class PartitionDdl {
  constructor(
    private readonly catalog: CatalogService,
    private readonly objects: ObjectService,
  ) {}

  /** Values of a spec in the table's key order; every key must be given exactly once. */
  values(table: Table, spec: PartitionSpec): string[] {
    const keys = (table.PartitionKeys ?? []).map((k) => k.Name!);
    if (keys.length === 0) throw HiveErrors.notPartitioned(table.Name!);
    const given = new Map(spec.values);
    for (const [k] of spec.values) if (!keys.includes(k)) throw HiveErrors.invalidPartitionSpec(`[Error 10098]: Non-Partition column appears in the partition specification:  ${k}`);
    return keys.map((k) => {
      const v = given.get(k);
      if (v === undefined) throw HiveErrors.invalidPartitionSpec(`partition spec is invalid; field ${k} does not exist or is empty`);
      return v;
    });
  }

  input(table: Table, values: string[], location: string | undefined): PartitionInput {
    const keys = (table.PartitionKeys ?? []).map((k) => k.Name!);
    const loc = location ?? `${withSlash(table.StorageDescriptor?.Location ?? '')}${partitionName(keys, values)}/`;
    return { Values: values, StorageDescriptor: { ...(table.StorageDescriptor ?? {}), Location: loc }, Parameters: {} };
  }

  #exists(table: Table, values: string[]): boolean {
    try {
      this.catalog.partitions.getPartition({ DatabaseName: table.DatabaseName, TableName: table.Name, PartitionValues: values });
      return true;
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'EntityNotFoundException') return false;
      throw err;
    }
  }

  #specText(table: Table, values: string[]): string {
    return `(${(table.PartitionKeys ?? []).map((k, i) => `${k.Name} = '${values[i]}'`).join(', ')})`;
  }

  async execute(st: Statement, table: Table): Promise<DdlResult> {
    const ref = { DatabaseName: table.DatabaseName, TableName: table.Name };
    switch (st.kind) {
      case 'addPartitions': {
        const inputs: PartitionInput[] = [];
        const seen = new Set<string>();
        for (const p of st.partitions) {
          const values = this.values(table, p.spec);
          const key = JSON.stringify(values);
          if (this.#exists(table, values) || seen.has(key)) {
            if (st.ifNotExists) continue;
            throw HiveErrors.partitionExists();
          }
          seen.add(key);
          inputs.push(this.input(table, values, p.location));
        }
        for (let i = 0; i < inputs.length; i += 100) await this.catalog.partitions.batchCreatePartition({ ...ref, PartitionInputList: inputs.slice(i, i + 100) });
        return { rows: [] };
      }
      case 'dropPartitions': {
        const all = st.specs.map((s) => this.values(table, s));
        for (const values of all) {
          if (!this.#exists(table, values)) {
            if (st.ifExists) continue;
            throw HiveErrors.partitionNotFound(this.#specText(table, values));
          }
          await this.catalog.partitions.deletePartition({ ...ref, PartitionValues: values });
        }
        return { rows: [] };
      }
      case 'renamePartition': {
        const from = this.values(table, st.from);
        const to = this.values(table, st.to);
        if (!this.#exists(table, from)) throw HiveErrors.partitionNotFound(this.#specText(table, from));
        if (this.#exists(table, to)) throw HiveErrors.partitionExists();
        const old = this.catalog.partitions.getPartition({ ...ref, PartitionValues: from }).Partition!;
        await this.catalog.partitions.createPartition({ ...ref, PartitionInput: { Values: to, StorageDescriptor: old.StorageDescriptor, Parameters: old.Parameters ?? {} } });
        await this.catalog.partitions.deletePartition({ ...ref, PartitionValues: from });
        return { rows: [] };
      }
      case 'partitionSetLocation': {
        const values = this.values(table, st.spec);
        if (!this.#exists(table, values)) throw HiveErrors.partitionNotFound(this.#specText(table, values));
        const old = this.catalog.partitions.getPartition({ ...ref, PartitionValues: values }).Partition!;
        await this.catalog.partitions.updatePartition({
          ...ref,
          PartitionValueList: values,
          PartitionInput: { Values: values, StorageDescriptor: { ...(old.StorageDescriptor ?? {}), Location: st.location }, Parameters: old.Parameters ?? {} },
        });
        return { rows: [] };
      }
      case 'showPartitions': {
        const keys = (table.PartitionKeys ?? []).map((k) => k.Name!);
        if (keys.length === 0) throw HiveErrors.notPartitioned(table.Name!);
        const names = this.#allPartitions(table).map((v) => partitionName(keys, v));
        return { columns: [{ name: 'partition', type: 'string' }], rows: names.sort().map((n) => [n]) };
      }
      case 'msck':
        return this.#repair(table);
      default:
        throw HiveErrors.unsupported(st.kind);
    }
  }

  #allPartitions(table: Table): string[][] {
    const out: string[][] = [];
    let token: string | undefined;
    do {
      const page = this.catalog.partitions.getPartitions({ DatabaseName: table.DatabaseName, TableName: table.Name, NextToken: token, ExcludeColumnSchema: true });
      for (const p of page.Partitions ?? []) out.push(p.Values ?? []);
      token = page.NextToken;
    } while (token);
    return out;
  }

  /** MSCK REPAIR TABLE: adds partitions found as `k1=v1/k2=v2/` folders under the table location (never removes any). */
  async #repair(table: Table): Promise<DdlResult> {
    const keys = (table.PartitionKeys ?? []).map((k) => k.Name!);
    const loc = s3Location(table.StorageDescriptor?.Location);
    if (keys.length === 0 || !loc) return { rows: [] };
    const found = new Map<string, string[]>();
    let marker: string | undefined;
    for (;;) {
      let page;
      try {
        page = await this.objects.listObjects({ bucket: loc.bucket, prefix: loc.prefix, marker, maxKeys: 1000 });
      } catch (err) {
        if (err instanceof ServiceError && err.code === 'NoSuchBucket') break;
        throw err;
      }
      for (const o of page.contents) {
        const dirs = o.key.slice(loc.prefix.length).split('/').slice(0, -1);
        if (dirs.length < keys.length) continue;
        const values: string[] = [];
        for (let i = 0; i < keys.length; i++) {
          const eq = dirs[i]!.indexOf('=');
          if (eq < 0 || dirs[i]!.slice(0, eq) !== keys[i]) break;
          values.push(unescapePathName(dirs[i]!.slice(eq + 1)));
        }
        if (values.length === keys.length && !values.some((v) => v === '' || v.includes(':'))) found.set(JSON.stringify(values), values);
      }
      if (!page.isTruncated || page.lastReturned === undefined) break;
      marker = page.lastReturned;
    }
    const existing = new Set(this.#allPartitions(table).map((v) => JSON.stringify(v)));
    const missing = [...found.entries()].filter(([k]) => !existing.has(k)).map(([, v]) => v);
    missing.sort((a, b) => (partitionName(keys, a) < partitionName(keys, b) ? -1 : 1));
    if (missing.length === 0) return { rows: [] };
    const names = missing.map((v) => `${table.Name}:${partitionName(keys, v)}`);
    const inputs = missing.map((v) => this.input(table, v, `${withSlash(table.StorageDescriptor!.Location!)}${partitionName(keys, v)}`));
    for (let i = 0; i < inputs.length; i += 100) {
      await this.catalog.partitions.batchCreatePartition({ DatabaseName: table.DatabaseName, TableName: table.Name, PartitionInputList: inputs.slice(i, i + 100) });
    }
    return { rows: [[`Partitions not in metastore:\t${names.join('\t')}`], ...names.map((n) => [`Repair: Added partition to metastore ${n}`])] };
  }
}
