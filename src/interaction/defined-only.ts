/** A copy without the members whose value is undefined, so decoded objects carry only the fields that were sent. */
export function definedOnly<T extends object>(record: T): T {
  // A plain loop: Object.fromEntries(Object.entries(...).filter(...)) allocated three arrays per decoded path.
  const copy: Record<string, unknown> = {};
  for (const key in record) {
    const value = record[key];
    if (value !== undefined && Object.hasOwn(record, key)) copy[key] = value;
  }
  return copy as T;
}
