import * as core from '@actions/core'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { actionsLog } from './action-log.js'
import { parseSettings } from './config/parse.js'
import type { Settings } from './config/settings.js'
import { Outputs } from './constants.js'
import { stepFails } from './judge/fail-on.js'
import { CheckError, runCheck } from './pipeline.js'
import { rankAnnotations, setupPyFlagLine } from './report/annotations.js'
import { md, renderSummary } from './report/summary.js'
import type { Report } from './report/types.js'

const isDirectory = (p: string): boolean => fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false
const isFile = (p: string): boolean => fs.statSync(p, { throwIfNoEntry: false })?.isFile() ?? false

/** Paths in annotations are relative to the repository root, which is GITHUB_WORKSPACE on a runner. */
function repoPath(workspace: string, workingDirectory: string): (file: string) => string {
  return file => path.relative(workspace, path.resolve(workingDirectory, file)).split(path.sep).join('/')
}

function annotate(report: Report, s: Settings, workspace: string): void {
  const toRepo = repoPath(workspace, s.workingDirectory)
  const setupPy = path.join(s.workingDirectory, 'setup.py')
  const line = isFile(setupPy) ? setupPyFlagLine(fs.readFileSync(setupPy, 'utf8')) : 0
  const { shown, dropped } = rankAnnotations(report, toRepo, line ? { path: toRepo('setup.py'), line } : null)
  for (const a of shown) core[a.level](a.message, a.props)
  if (dropped.length) core.info(`${dropped.length} more annotation(s) are listed in the step summary (GitHub shows 10 per level).`)
}

/** A bare `node dist/index.js` has no GITHUB_STEP_SUMMARY; then the summary goes to the log. */
async function writeSummary(markdown: string): Promise<void> {
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown).write()
  else core.info(markdown)
}

/** The action's entry: every step awaited, every failure turned into one clear message. */
export async function run(): Promise<void> {
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd()
  let settings: Settings | null = null
  try {
    settings = parseSettings({ getInput: name => core.getInput(name), baseDirectory: workspace, isDirectory, isFile })
    const report = await runCheck(settings, actionsLog)
    core.setOutput(Outputs.Report, settings.reportPath)
    await writeSummary(renderSummary(report))
    annotate(report, settings, workspace)
    if (report.errors.length) {
      core.setFailed(`No verdict: ${report.errors.length} case(s) could not be measured. ${report.errors[0].split('\n')[0]}`)
      return
    }
    core.setOutput(Outputs.Verdict, report.verdict)
    core.setOutput(Outputs.Speedup, report.speedup === null ? '' : report.speedup.toFixed(3))
    core.info(`Verdict: ${report.verdict}. ${report.reasons[0]}`)
    if (stepFails(report.verdict, settings.failOn)) core.setFailed(`thread-scaling-check: ${report.verdict}. ${report.reasons[0]}`)
  } catch (e) {
    const err = e as Error
    if (e instanceof CheckError && e.annotation && settings) {
      const a = e.annotation
      core.error(a.message, { title: 'Build failed', file: repoPath(workspace, settings.workingDirectory)(a.file), startLine: a.line, startColumn: a.column })
    }
    if (e instanceof CheckError && e.details) core.info(e.details)
    await writeSummary(`## ❗ thread-scaling-check: no verdict\n\n${md(err.message)}\n`).catch(() => undefined)
    core.setFailed(err.message)
  }
}
