import { build } from './build/build.js'
import type { Settings } from './config/settings.js'
import { addRuntimeFindings } from './inspect/attribution.js'
import { inspectAll } from './inspect/inspect-all.js'
import { judge } from './judge/judge.js'
import { stopRule } from './judge/stop-rule.js'
import { locateExtensions } from './locate/extensions.js'
import { locateSources } from './locate/locate.js'
import type { Log } from './log.js'
import { measureStage } from './measure/measure-stage.js'
import { assembleReport } from './report/assemble.js'
import { remediation } from './report/remediation.js'
import type { Report } from './report/types.js'
import { writeReport } from './report/write-report.js'
import { scanRelative } from './sources/scan-files.js'

export { CheckError } from './check-error.js'

/**
 * Runs config → build → locate → inspect → measure → judge → report and
 * writes the JSON report. Each stage lives in its folder; this file only
 * hands one stage's result to the next. A stage that can't go on throws CheckError.
 */
export async function runCheck(s: Settings, log: Log): Promise<Report> {
  const cwd = s.workingDirectory
  const sourceFiles = locateSources(cwd, s.sources)
  const stage = await build(s, sourceFiles, log)
  const binaries = locateExtensions(s, stage?.record ?? null)

  const sources = scanRelative(sourceFiles, cwd)
  log.info(`Scanned ${sourceFiles.length} source file(s): ${sources.length} parallel construct(s)`)
  const inspected = inspectAll(binaries, sources, cwd, stage?.record ?? null, log)

  const rule = stopRule({ binaries: inspected, sources, sourceFiles: sourceFiles.length, threads: s.threads, minSpeedup: s.minSpeedup })
  const { measurement, facts } = await measureStage(s, binaries, rule, log)

  const evidence = addRuntimeFindings(inspected, facts, log, cwd)
  const judgement = judge({ binaries: evidence, sources, sourceFiles: sourceFiles.length, facts, measurement, threads: s.threads, minSpeedup: s.minSpeedup })

  const fix = await remediation(cwd, judgement.binaries, stage?.record.audit ?? null)
  const report = assembleReport({ settings: s, stage, facts, measurement, judgement, evidence, sources, remediation: fix })
  writeReport(s.reportPath, report)
  return report
}
