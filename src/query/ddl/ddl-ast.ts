/** Syntax tree of the Hive DDL statements Athena runs (names lower-cased, strings decoded). */

export interface QualifiedName {
  readonly db: string | undefined;
  readonly name: string;
  /** As written (for error messages). */
  readonly text: string;
}

export interface ColumnDef {
  readonly name: string;
  /** Canonical Hive type (`array<struct<a:int>>`). */
  readonly type: string;
  readonly comment: string | undefined;
}

export type Properties = ReadonlyArray<readonly [string, string]>;

export interface PartitionSpec {
  readonly values: ReadonlyArray<readonly [string, string]>;
}

export type RowFormat =
  | { readonly kind: 'serde'; readonly serde: string; readonly properties: Properties }
  | {
      readonly kind: 'delimited';
      readonly fields?: string | undefined;
      readonly escaped?: string | undefined;
      readonly collection?: string | undefined;
      readonly mapKeys?: string | undefined;
      readonly lines?: string | undefined;
      readonly nullAs?: string | undefined;
    };

export type StoredAs = { readonly kind: 'format'; readonly format: string } | { readonly kind: 'io'; readonly input: string; readonly output: string };

export interface CreateTable {
  readonly kind: 'createTable';
  readonly external: boolean;
  readonly ifNotExists: boolean;
  readonly table: QualifiedName;
  readonly columns: readonly ColumnDef[];
  readonly comment: string | undefined;
  readonly partitionedBy: readonly ColumnDef[];
  readonly clusteredBy: { readonly columns: readonly string[]; readonly buckets: number } | undefined;
  readonly rowFormat: RowFormat | undefined;
  readonly storedAs: StoredAs | undefined;
  readonly location: string | undefined;
  readonly tblProperties: Properties;
}

export type Statement =
  | { readonly kind: 'createDatabase'; readonly name: string; readonly ifNotExists: boolean; readonly comment?: string | undefined; readonly location?: string | undefined; readonly properties: Properties }
  | { readonly kind: 'dropDatabase'; readonly name: string; readonly ifExists: boolean; readonly cascade: boolean }
  | CreateTable
  | { readonly kind: 'dropTable'; readonly table: QualifiedName; readonly ifExists: boolean }
  | { readonly kind: 'msck'; readonly table: QualifiedName }
  | { readonly kind: 'addPartitions'; readonly table: QualifiedName; readonly ifNotExists: boolean; readonly partitions: readonly { spec: PartitionSpec; location: string | undefined }[] }
  | { readonly kind: 'dropPartitions'; readonly table: QualifiedName; readonly ifExists: boolean; readonly specs: readonly PartitionSpec[] }
  | { readonly kind: 'renamePartition'; readonly table: QualifiedName; readonly from: PartitionSpec; readonly to: PartitionSpec }
  | { readonly kind: 'partitionSetLocation'; readonly table: QualifiedName; readonly spec: PartitionSpec; readonly location: string }
  | { readonly kind: 'addColumns' | 'replaceColumns'; readonly table: QualifiedName; readonly columns: readonly ColumnDef[] }
  | {
      readonly kind: 'changeColumn';
      readonly table: QualifiedName;
      /** The column's current name. */
      readonly from: string;
      readonly column: ColumnDef;
      /** FIRST, or AFTER a column (by its name); undefined keeps the column where it is. */
      readonly position: { readonly first: true } | { readonly after: string } | undefined;
    }
  | { readonly kind: 'setTblProperties'; readonly table: QualifiedName; readonly properties: Properties }
  | { readonly kind: 'setLocation'; readonly table: QualifiedName; readonly location: string }
  | { readonly kind: 'setSerdeProperties'; readonly table: QualifiedName; readonly serde: string | undefined; readonly properties: Properties }
  | { readonly kind: 'showDatabases'; readonly pattern: string | undefined }
  | { readonly kind: 'showTables' | 'showViews'; readonly db: string | undefined; readonly pattern: string | undefined }
  | { readonly kind: 'showPartitions' | 'showCreateTable'; readonly table: QualifiedName }
  | { readonly kind: 'showCreateView'; readonly table: QualifiedName }
  | { readonly kind: 'showColumns'; readonly table: QualifiedName }
  | { readonly kind: 'showTblProperties'; readonly table: QualifiedName; readonly key: string | undefined }
  | { readonly kind: 'describe'; readonly table: QualifiedName; readonly mode: 'plain' | 'formatted' | 'extended'; readonly partition: PartitionSpec | undefined; readonly column: string | undefined }
  | { readonly kind: 'createView'; readonly replace: boolean; readonly table: QualifiedName; readonly sql: string }
  | { readonly kind: 'dropView'; readonly table: QualifiedName; readonly ifExists: boolean };

export type StatementKind = Statement['kind'];
