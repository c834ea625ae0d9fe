import * as core from '@actions/core'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { actionsLog } from './action-log.js'
import { parsePublishSettings, parseSettings } from './config/parse.js'
import type { PublishSettings, Settings } from './config/settings.js'
import { Inputs, Outputs } from './constants.js'
import { stepFails } from './judge/fail-on.js'
import { CheckError, runCheck } from './pipeline.js'
import { regressions, regressionText, renderComparison, type Comparison } from './publish/baseline.js'
import { actionsCacheStore } from './build/cache-store.js'
import { CacheBaselines } from './publish/baseline-store.js'
import { runCommentMode } from './publish/comment-mode.js'
import { pullRequestOf, readGitHubEnv } from './publish/github-env.js'
import { defaultLeg, legFile, legFileContent, legFromFile } from './publish/leg.js'
import { loadComparison, publish, publishDeps, type PublishDeps } from './publish/publish.js'
import { rankAnnotations, setupPyFlagLine, type Annotation } from './report/annotations.js'
import { renderDropped } from './report/dropped.js'
import { writeOwnFile } from './report/own-file.js'
import { md, renderSummary } from './report/summary.js'
import type { Report } from './report/types.js'

const isDirectory = (p: string): boolean => fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false
const isFile = (p: string): boolean => fs.statSync(p, { throwIfNoEntry: false })?.isFile() ?? false

/** Paths in annotations are relative to the repository root, which is GITHUB_WORKSPACE on a runner. */
function repoPath(workspace: string, workingDirectory: string): (file: string) => string {
  return file => path.relative(workspace, path.resolve(workingDirectory, file)).split(path.sep).join('/')
}

function annotations(report: Report, s: Settings, workspace: string): { shown: Annotation[]; dropped: Annotation[] } {
  const toRepo = repoPath(workspace, s.workingDirectory)
  const setupPy = path.join(s.workingDirectory, 'setup.py')
  const line = isFile(setupPy) ? setupPyFlagLine(fs.readFileSync(setupPy, 'utf8')) : 0
  return rankAnnotations(report, toRepo, line ? { path: toRepo('setup.py'), line } : null)
}

/** The leg's name beside the report, so `mode: comment` names an uploaded report's section the same way. */
function writeLegFile(reportPath: string, leg: string): void {
  try {
    writeOwnFile(legFile(reportPath), legFileContent(leg), { isOurs: isLegText, what: 'a thread-scaling-check leg file' })
  } catch (e) {
    core.warning(`Leg file not written, so mode: comment names this leg from the runner: ${(e as Error).message}`)
  }
}

function isLegText(text: string): boolean {
  try {
    return legFromFile(JSON.parse(text)) !== null
  } catch {
    return false
  }
}

/** On a pull request: the base branch's latest report for this leg, compared (null elsewhere). */
async function comparison(report: Report, leg: string, s: Settings, deps: PublishDeps): Promise<Comparison | null> {
  if (!pullRequestOf(deps.env) || report.errors.length) return null
  return loadComparison(report, leg, s.publish.regressionTolerance, deps)
}

/** `mode: comment`: no build, no measuring; the reports of the triggering run go to its PR. */
async function commentMode(s: PublishSettings, deps: PublishDeps): Promise<void> {
  const result = await runCommentMode(s, deps)
  await writeSummary(result.summary)
}

/** A bare `node dist/index.js` has no GITHUB_STEP_SUMMARY; then the summary goes to the log. */
async function writeSummary(markdown: string): Promise<void> {
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown).write()
  else core.info(markdown)
}

/** The action's entry: every step awaited, every failure turned into one clear message. */
export async function run(): Promise<void> {
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd()
  const deps = publishDeps(actionsLog, readGitHubEnv(), new CacheBaselines(workspace, actionsCacheStore()))
  let settings: Settings | null = null
  let title = 'no verdict'
  // Masked in every log line before anything can print it (a build echoing its environment, say).
  const token = core.getInput(Inputs.GithubToken)
  if (token) core.setSecret(token)
  try {
    const publishing = parsePublishSettings(name => core.getInput(name))
    if (publishing.mode === 'comment') {
      title = 'no comment posted'
      return await commentMode(publishing, deps)
    }
    settings = parseSettings({ getInput: name => core.getInput(name), baseDirectory: workspace, isDirectory, isFile })
    const report = await runCheck(settings, actionsLog)
    core.setOutput(Outputs.Report, settings.reportPath)
    const leg = settings.publish.leg ?? defaultLeg(report.runner, process.env.ImageOS ?? null)
    writeLegFile(settings.reportPath, leg)
    const compared = await comparison(report, leg, settings, deps)
    const { shown, dropped } = annotations(report, settings, workspace)
    await writeSummary(renderSummary(report) + (compared ? renderComparison(compared) : '') + renderDropped(dropped))
    for (const a of shown) core[a.level](a.message, a.props)
    if (dropped.length) core.info(`${dropped.length} more annotation(s) are listed in the step summary (GitHub shows 10 per level).`)
    if (compared && regressions(compared).length) {
      core.warning(`Speedup at ${compared.threads} threads dropped by more than ${Math.round(compared.tolerance * 100)}% against the base branch: ${regressionText(compared)}.`, { title: 'Thread scaling regression' })
    }
    if (report.errors.length) {
      core.setFailed(`No verdict: ${report.errors.length} case(s) could not be measured. ${report.errors[0].split('\n')[0]}`)
      return
    }
    core.setOutput(Outputs.Verdict, report.verdict)
    core.setOutput(Outputs.Speedup, report.speedup === null ? '' : report.speedup.toFixed(3))
    core.info(`Verdict: ${report.verdict}. ${report.reasons[0]}`)
    // Comment, nightly issue, baseline: never throws, so the verdict below always stands.
    await publish({ report, leg, settings: settings.publish, comparison: compared }, deps)
    if (stepFails(report.verdict, settings.failOn)) core.setFailed(`thread-scaling-check: ${report.verdict}. ${report.reasons[0]}`)
  } catch (e) {
    const err = e as Error
    if (e instanceof CheckError && e.annotation && settings) {
      const a = e.annotation
      core.error(a.message, { title: 'Build failed', file: repoPath(workspace, settings.workingDirectory)(a.file), startLine: a.line, startColumn: a.column })
    }
    if (e instanceof CheckError && e.details) core.info(e.details)
    await writeSummary(`## ❗ thread-scaling-check: ${title}\n\n${md(err.message)}\n`).catch(() => undefined)
    core.setFailed(err.message)
  }
}
