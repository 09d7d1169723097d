/** A copy without the members whose value is undefined, so decoded objects carry only the fields that were sent. */
export function definedOnly<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}
