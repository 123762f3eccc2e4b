import { describe, expect, it } from 'vitest';
import { failureFromEngine } from './athena-errors.js';
import { endPosition, functionPosition, identifierPosition, lineColumn, mapToken } from './source-positions.js';

describe('source positions', () => {
  it('gives 1-based line:column of offsets and of the end of input', () => {
    expect(lineColumn('select 1', 7)).toBe('1:8');
    // Code points, not UTF-16 units: the emoji before the name counts once.
    expect(identifierPosition("SELECT '🎉🎉🎉', xyz FROM t", 'xyz')).toBe('1:15');
    expect(lineColumn('select 1\nfrom t\nwhere x', 22)).toBe('3:7');
    expect(endPosition('select 1 from')).toBe('1:14');
    expect(endPosition('select 1\nfrom t\nwhere  -- done\n')).toBe('3:6');
  });

  it('finds the first column reference, skipping strings, comments, function names and other qualifiers', () => {
    const sql = "SELECT id, 'banana' -- banana\nFROM t\nWHERE banana(1) = 2 AND x.banana = 3 AND \"Banana\" > 0";
    expect(identifierPosition(sql, 'banana')).toBe('3:42');
    expect(identifierPosition(sql, 'banana', 'x')).toBe('3:25');
    expect(identifierPosition(sql, 'missing')).toBe('1:8');
    expect(functionPosition(sql, 'banana')).toBe('3:7');
  });

  it('maps a token of a rewritten query back to the same occurrence in the original', () => {
    const original = 'select a,\n  b from t from';
    const derived = 'SELECT a, b FROM t FROM';
    expect(mapToken(original, derived, derived.lastIndexOf('FROM'))).toEqual({ offset: original.lastIndexOf('from'), text: 'from' });
  });
});

describe('engine errors as Athena reports them', () => {
  const q = 'SELECT id,\n  banana\nFROM events e\nWHERE e.kiwi = 1';
  it('names missing columns at their place in the user query', () => {
    expect(failureFromEngine('Binder Error: Column "banana" referenced that exists in the SELECT clause - but this column cannot be referenced before it is defined', [], q).message).toBe(
      "COLUMN_NOT_FOUND: line 2:3: Column 'banana' cannot be resolved or requester is not authorized to access requested resources",
    );
    expect(failureFromEngine('Binder Error: Referenced column "banana" not found in FROM clause!\nCandidate bindings: "id"\n\nLINE 1: x', [], q).message).toMatch(/^COLUMN_NOT_FOUND: line 2:3: Column 'banana'/);
    expect(failureFromEngine('Binder Error: Table "e" does not have a column named "kiwi"\n\nCandidate bindings: : "id"', [], q).message).toMatch(/^COLUMN_NOT_FOUND: line 4:7: Column 'e.kiwi'/);
  });

  it('reports ambiguous names, non-aggregated columns and unknown functions with Trino names', () => {
    expect(failureFromEngine('Binder Error: Ambiguous reference to column name "banana" (use: \'a.dt\' or \'b.dt\')', [], q).message).toBe("AMBIGUOUS_NAME: line 2:3: Column 'banana' is ambiguous");
    expect(failureFromEngine('Binder Error: column "id" must appear in the GROUP BY clause or must be part of an aggregate function.', [], q).message).toBe(
      "EXPRESSION_NOT_AGGREGATE: line 1:8: 'id' must be an aggregate expression or appear in GROUP BY clause",
    );
    expect(failureFromEngine('Binder Error: column nope must appear in the GROUP BY clause or be used in an aggregate function', [], 'SELECT id FROM t\nGROUP BY id\nHAVING nope > 1').message).toBe(
      "EXPRESSION_NOT_AGGREGATE: line 3:8: 'nope' must be an aggregate expression or appear in GROUP BY clause",
    );
    expect(failureFromEngine('Catalog Error: Scalar Function with name nosuchfunc does not exist!\nDid you mean "cosh"?', [], 'SELECT 1,\n nosuchfunc(2)').message).toBe(
      "FUNCTION_NOT_FOUND: line 2:2: Function 'nosuchfunc' not registered",
    );
  });
});

describe('function calls with arguments no signature takes', () => {
  it("word the error as Trino does, at the call, when the user wrote the function", () => {
    const q = 'SELECT 1,\n  abs(name) FROM t';
    expect(failureFromEngine('Binder Error: Could not choose a best candidate function for the function call "abs(STRING_LITERAL)". In order to select one, please add explicit type casts.', [], q).message).toBe(
      'TYPE_MISMATCH: line 2:3: Unexpected parameters (varchar) for function abs',
    );
    expect(failureFromEngine("Binder Error: No function matches the given name and argument types 'abs(VARCHAR, DECIMAL(10,2), INTEGER[])'. You might need to add explicit type casts.", [], q).message).toBe(
      'TYPE_MISMATCH: line 2:3: Unexpected parameters (varchar, decimal(10,2), array(integer)) for function abs',
    );
    // A function the translation introduced keeps DuckDB's words.
    expect(failureFromEngine("Binder Error: No function matches the given name and argument types 'date_sub(STRING_LITERAL)'.", [], q).message).toMatch(/^TYPE_MISMATCH: line 1:8: No function matches/);
  });
});
