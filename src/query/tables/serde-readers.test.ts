import { describe, expect, it } from 'vitest';
import { captureGroups } from './serde-readers.js';

describe('captureGroups', () => {
  it('counts capturing groups, not escaped parentheses, classes, or non-capturing and look-around groups', () => {
    expect(captureGroups('([^ ]*) ([^ ]*) "([^"]*)"')).toBe(3);
    expect(captureGroups('\\(x\\) ([()]+) (?:a|b) (?=c)(?!d)(?<=e)(?<!f) (?P<n>g) (?<m>h)')).toBe(3);
    expect(captureGroups('[\\]()] ([]()]) ([^]()])')).toBe(2);
    // The regex of Athena's ALB access log table has one group per column.
    const alb =
      '([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*):([0-9]*) ([^ ]*)[:-]([0-9]*) ([-.0-9]*) ([-.0-9]*) ([-.0-9]*) (|[-0-9]*) (-|[-0-9]*) ([-0-9]*) ([-0-9]*) ' +
      '"([^ ]*) (.*) (- |[^ ]*)" "([^"]*)" ([A-Z0-9-_]+) ([A-Za-z0-9.-]*) ([^ ]*) "([^"]*)" "([^"]*)" "([^"]*)" ([-.0-9]*) ([^ ]*) "([^"]*)" ' +
      '"([^"]*)" "([^ ]*)" "([^s]+?)" "([^s]+)" "([^ ]*)" "([^ ]*)" ?([^ ]*)?';
    expect(captureGroups(alb)).toBe(34);
  });
});
