/** Test helper: the SDK error name a promise rejects with ('no error' when it resolves). */
export async function errorName(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'no error';
  } catch (err) {
    return (err as Error).name;
  }
}
