import { Ajv } from 'ajv'
import schema from '../../schema/report.schema.json' with { type: 'json' }
import type { Report } from './types.js'

const ajv = new Ajv({ allErrors: true, strict: false })
const validate = ajv.compile(schema)

export class ReportSchemaError extends Error {}

/**
 * Checks a report against schema/report.schema.json. Every writer and every
 * reader calls it: a report from another matrix leg is untrusted input.
 */
export function validateReport(value: unknown, source = 'report'): Report {
  // Round-trip so NaN/Infinity become null exactly as they will on disk.
  const data: unknown = JSON.parse(JSON.stringify(value))
  if (!validate(data)) {
    const problems = (validate.errors ?? []).slice(0, 5).map(e => `${e.instancePath || '/'} ${e.message ?? ''}`.trim())
    throw new ReportSchemaError(`${source} does not match the report schema: ${problems.join('; ')}`)
  }
  return data as unknown as Report
}
