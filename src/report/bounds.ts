/**
 * The schema's bounds on every string and array (schema/report.schema.json
 * says the same): a report read in `mode: comment` may come from a fork, and
 * a bound on each field keeps validating it, and keeping it, cheap.
 */
export const MAX_STRING = 100_000
export const MAX_ITEMS = 10_000

/**
 * Our own report, fitted inside those bounds before it is validated: a
 * traceback or a minified source line must not make the report unreadable
 * to our own comment mode. Strings are clipped with an ellipsis, arrays
 * keep their first items; both happen only in reports far past any real one.
 */
export function fitBounds<T>(value: T): T {
  return fit(value) as T
}

function fit(v: unknown): unknown {
  if (typeof v === 'string') return v.length > MAX_STRING ? v.slice(0, MAX_STRING - 1) + '…' : v
  if (Array.isArray(v)) return v.slice(0, MAX_ITEMS).map(fit)
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fit(x)]))
  return v
}
