import { CheckError } from '../check-error.js'
import { OwnFileError, writeOwnFile } from './own-file.js'
import type { Report } from './types.js'

function isReportText(text: string, schema: string): boolean {
  try {
    return (JSON.parse(text) as { schema?: unknown }).schema === schema
  } catch {
    return false
  }
}

/** Writes the report, never through a link and never over a file that isn't one of our reports. */
export function writeReport(file: string, report: Report): void {
  try {
    writeOwnFile(file, JSON.stringify(report, null, 2) + '\n', { isOurs: text => isReportText(text, report.schema), what: 'a thread-scaling-check report' })
  } catch (e) {
    if (e instanceof OwnFileError) throw new CheckError(`Input 'report-path': ${e.message}`)
    throw e
  }
}
