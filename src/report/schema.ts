import { Ajv } from 'ajv'
import schema from '../../schema/report.schema.json' with { type: 'json' }
import type { Report } from './types.js'

const ajv = new Ajv({ allErrors: true, strict: false })
const validate = ajv.compile(schema)
/**
 * For reports from another run (a fork's artifact): the first error is
 * enough, and whatever the schema does not name is dropped, so a report
 * can't keep megabytes of unknown junk in memory once it is accepted.
 */
const validateUntrusted = new Ajv({ allErrors: false, strict: false, removeAdditional: 'all' }).compile(schema)

export class ReportSchemaError extends Error {}

/**
 * Checks a report against schema/report.schema.json. Every writer and every
 * reader calls it: a report from another matrix leg is untrusted input.
 */
export function validateReport(value: unknown, source = 'report', check = validate): Report {
  // Round-trip so NaN/Infinity become null exactly as they will on disk.
  const data: unknown = JSON.parse(JSON.stringify(value))
  if (!check(data)) {
    const problems = (check.errors ?? []).slice(0, 5).map(e => `${e.instancePath || '/'} ${e.message ?? ''}`.trim())
    throw new ReportSchemaError(`${source} does not match the report schema: ${problems.join('; ')}`)
  }
  return data as unknown as Report
}

/** validateReport for a report read from another run: unknown properties are removed. */
export function validateUntrustedReport(value: unknown, source: string): Report {
  return validateReport(value, source, validateUntrusted)
}
