// What IndexedDB is given is plain data. Forms hold Vue reactive state, and a reactive proxy cannot be
// structured-cloned: IndexedDB refuses it with a DataCloneError and the record is not saved.
import { toRaw } from 'vue'

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** A deep copy of objects and arrays with every Vue proxy unwrapped; Blobs, ArrayBuffers and other values as they are. */
export function plainValue<T>(value: T): T {
  const raw = toRaw(value)
  if (Array.isArray(raw)) return raw.map(plainValue) as T
  if (isPlainObject(raw)) return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, plainValue(v)])) as T
  return raw
}
