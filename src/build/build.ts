import * as path from 'node:path'
import { CheckError } from '../check-error.js'
import type { Settings } from '../config/settings.js'
import { WORK_DIR_NAME } from '../constants.js'
import type { Log } from '../log.js'
import { runBuildStage, type BuildStageResult } from './build-stage.js'
import { actionsCacheStore } from './cache-store.js'
import type { BuildAudit } from './audit.js'
import { firstCompilerError, logTail } from './compiler-errors.js'
import type { FixCompiler } from '../fix/remediation.js'
import { fixCompiler, identifyCompiler } from './compiler-id.js'
import { realCompilers } from './wrappers.js'

/** Runs the settings' build command, or nothing when there is none; a failed build stops the check with its first compiler error. */
export async function build(s: Settings, sourceFiles: readonly string[], log: Log): Promise<BuildStageResult | null> {
  if (s.buildCommand === null) return null
  const stage = await runBuildStage({
    command: s.buildCommand,
    cwd: s.workingDirectory,
    python: s.python,
    logPath: path.join(s.workingDirectory, WORK_DIR_NAME, 'build.log'),
    log,
    cache: s.cache ? actionsCacheStore() : null,
    applyOpenmpFix: s.applyOpenmpFix,
    sources: sourceFiles
  })
  const result = stage.result
  if (result.exitCode !== 0) {
    const first = firstCompilerError(result.log)
    const where = first ? `${first.file}:${first.line}: ${first.message}` : `last lines:\n${logTail(result.log)}`
    throw new CheckError(`Input 'build-command': the build failed with exit status ${result.exitCode}. First error: ${where}\nFull log: ${result.logPath}`, first)
  }
  log.info(`Build finished in ${result.seconds.toFixed(1)} s; log kept at ${result.logPath}`)
  return stage
}

/** The C++ compiler the build used (nvcc only hands flags to it), or the one it would use when nothing was recorded: the flags of a fix follow it. */
export async function buildCxx(audit: BuildAudit | null): Promise<FixCompiler> {
  const recorded = audit?.tus.find(t => t.family !== 'nvcc')?.family
  if (recorded) return fixCompiler(recorded)
  return fixCompiler((await realCompilers().then(c => identifyCompiler(c.cxx)).catch(() => null))?.family ?? 'unknown')
}
