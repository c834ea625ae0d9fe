import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import pkg from '../package.json' with { type: 'json' }
import { firstCompilerError, logTail, type CompilerError } from './build/compiler-errors.js'
import type { BuildAudit } from './build/audit.js'
import { runBuildStage, type BuildStageResult } from './build/build-stage.js'
import { actionsCacheStore } from './build/cache-store.js'
import { identifyCompiler } from './build/compiler-id.js'
import { realCompilers } from './build/wrappers.js'
import { partsToPatch, patchCMakeLists, patchSetupPy, type FixCompiler } from './fix/remediation.js'
import type { Settings } from './config/settings.js'
import { REPORT_SCHEMA_VERSION, WORK_DIR_NAME } from './constants.js'
import { addLostTus, addRuntimeFindings, attributeSources } from './inspect/attribution.js'
import { inspectBinary } from './inspect/inspect-binary.js'
import { scanSources } from './sources/scan-files.js'
import { parallelPath } from './inspect/openmp.js'
import { caseSettled } from './judge/case-verdict.js'
import { judgeBinary, lostOpenMP } from './judge/binary-verdict.js'
import { judge } from './judge/judge.js'
import { threshold } from './judge/threshold.js'
import type { BinaryFinding } from './judge/types.js'
import type { BinaryEvidence } from './inspect/types.js'
import { locateBinaries, locateSources } from './locate/locate.js'
import type { Log } from './log.js'
import { measure, MeasureSetupError } from './measure/measure.js'
import type { Measurement } from './measure/types.js'
import type { RunnerFacts } from './runner-facts.js'
import { Worker } from './measure/worker.js'
import { countSourcePath, harnessPath, presetPath } from './paths.js'
import { prepareCounter } from './measure/counter.js'
import { fitBounds } from './report/bounds.js'
import { OwnFileError, writeOwnFile } from './report/own-file.js'
import { validateReport } from './report/schema.js'
import type { Report } from './report/types.js'

/** The check stopped before a verdict; the message says what to do. */
export class CheckError extends Error {
  constructor(
    message: string,
    /** Where GitHub should point (the compiler's first error). */
    readonly annotation: CompilerError | null = null,
    readonly details = ''
  ) {
    super(message)
    this.name = 'CheckError'
  }
}

async function build(s: Settings, sourceFiles: readonly string[], log: Log): Promise<BuildStageResult | null> {
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

/** The patch for the build file, when a binary was compiled without OpenMP and the file is one we can patch. */
async function remediation(s: Settings, binaries: readonly BinaryFinding[], audit: BuildAudit | null): Promise<Report['remediation']> {
  if (!binaries.some(b => lostOpenMP(b.cause))) return null
  // The C++ compiler picks the flags; nvcc hands them to it.
  const cxx = audit?.tus.find(t => t.family !== 'nvcc')?.family ?? (await realCompilers().then(c => identifyCompiler(c.cxx)).catch(() => null))?.family ?? 'unknown'
  const compiler = cxx as FixCompiler
  const parts = partsToPatch(audit?.flagged ?? null)
  for (const [file, patch] of [
    ['setup.py', (text: string, rel: string) => patchSetupPy(text, process.platform, compiler, rel, parts)],
    ['CMakeLists.txt', (text: string, rel: string) => patchCMakeLists(text, process.platform, compiler, rel)]
  ] as const) {
    const full = path.join(s.workingDirectory, file)
    if (!fs.existsSync(full)) continue
    const rel = path.relative(process.env.GITHUB_WORKSPACE || s.workingDirectory, full).split(path.sep).join('/')
    const p = patch(fs.readFileSync(full, 'utf8'), rel)
    if (p) return { file: rel, diff: p.diff, note: p.note }
  }
  return null
}

/** Facts from torch without a workload: one harness process that loads no user code. */
async function probeFacts(s: Settings): Promise<RunnerFacts> {
  const w = new Worker({ python: s.python, harness: harnessPath(), workload: null, workdir: s.workingDirectory, threads: 1 })
  try {
    const r = await w.next(180_000)
    if (r.op === 'ready') return r.facts
    throw new MeasureSetupError(`Input 'python': '${s.python}' cannot import torch (${r.op === 'error' ? `${r.type}: ${r.message}` : r.op}). Set 'python' to the interpreter that has torch installed.`, w.output)
  } catch (e) {
    if (e instanceof MeasureSetupError) throw e
    throw new MeasureSetupError(`Input 'python': could not run '${s.python}': ${(e as Error).message}`, w.output)
  } finally {
    await w.close()
  }
}

function inspectAll(files: string[], cwd: string, log: Log): BinaryEvidence[] {
  return files.map(f => {
    const rel = path.relative(cwd, f) || f
    try {
      const images = inspectBinary(f)
      log.info(`Inspected ${rel}: ${images.map(i => `${i.arch} ${parallelPath(i.openmp)}${i.openmp.parallel ? ` (${i.openmp.forkImports.join(', ')})` : ''}`).join('; ')}`)
      return { path: rel, images: images.map(i => ({ format: i.format, arch: i.arch, stripped: i.stripped, ...(i.partial ? { partial: i.partial } : {}), openmp: i.openmp })) }
    } catch (e) {
      return { path: rel, images: [], error: (e as Error).message }
    }
  })
}

/** Writes the report, never through a link and never over a file that isn't one of our reports. */
function writeReport(file: string, report: Report): void {
  try {
    writeOwnFile(file, JSON.stringify(report, null, 2) + '\n', { isOurs: text => isReportText(text, report.schema), what: 'a thread-scaling-check report' })
  } catch (e) {
    if (e instanceof OwnFileError) throw new CheckError(`Input 'report-path': ${e.message}`)
    throw e
  }
}

function isReportText(text: string, schema: string): boolean {
  try {
    return (JSON.parse(text) as { schema?: unknown }).schema === schema
  } catch {
    return false
  }
}

/** Runs config → build → locate → inspect → measure → judge and writes the JSON report. */
export async function runCheck(s: Settings, log: Log): Promise<Report> {
  const sourceFiles = locateSources(s.workingDirectory, s.sources)
  const stage = await build(s, sourceFiles, log)
  const built = stage?.result ?? null

  const binaries = locateBinaries(s.workingDirectory, s.extensions, built?.startedAt ?? null)
  if (binaries.length === 0) {
    const what = s.extensions.length ? `match ${s.extensions.join(', ')}` : built ? 'were written by the build' : 'exist'
    throw new CheckError(`Input 'extensions': no extension binaries ${what} under ${s.workingDirectory}. Set 'extensions' to a glob of the built .so/.dylib files, relative to working-directory.`)
  }
  const sources = scanSources(sourceFiles).map(h => ({ ...h, file: path.relative(s.workingDirectory, h.file) }))
  log.info(`Scanned ${sourceFiles.length} source file(s): ${sources.length} parallel construct(s)`)
  const attributed = attributeSources(inspectAll(binaries, s.workingDirectory, log), binaries, sources, s.workingDirectory, built?.log ?? '', log)
  const inspected = addLostTus(attributed, binaries, stage?.audit ?? null, s.workingDirectory)

  let measurement: Measurement | null = null
  let facts: RunnerFacts
  const workload = s.preset ? presetPath(s.preset) : s.workload
  try {
    if (workload) {
      // Regions are counted per shared object when the runner's C compiler builds the counter; otherwise they aren't, and the report says why.
      const counter = prepareCounter({ source: countSourcePath(), cacheDir: path.join(s.workingDirectory, WORK_DIR_NAME, 'count-regions') })
      const openmpExtension = (f: RunnerFacts): boolean => inspected.length > 0 && inspected.every(b => judgeBinary(b, sources, f.parallelBackend, sourceFiles.length).cause === 'openmp-compiled-in')
      measurement = await log.group('Measure thread scaling', () =>
        measure({
          python: s.python,
          harness: harnessPath(),
          workload,
          workdir: s.workingDirectory,
          threads: s.threads,
          maxTime: s.maxTime,
          log,
          progressThreads: f => threshold(s.minSpeedup, s.threads, f.usableCpus).judgedThreads,
          staticVerdict: f => {
            const failed = inspected.map(b => judgeBinary(b, sources, f.parallelBackend, sourceFiles.length)).filter(b => b.verdict === 'fail')
            return failed.length ? `The verdict is already FAIL from the binary alone (${failed.map(b => `${b.path}: ${b.cause.replace(/-/g, ' ')}`).join('; ')}).` : null
          },
          isDecided: (c, f, control, counting) => caseSettled(c, control, threshold(s.minSpeedup, s.threads, f.usableCpus), { counting, openmpExtension: openmpExtension(f) }),
          counter,
          extensions: binaries.map(b => path.resolve(s.workingDirectory, b))
        })
      )
      facts = measurement.facts
    } else {
      facts = await probeFacts(s)
    }
  } catch (e) {
    if (e instanceof MeasureSetupError) throw new CheckError(e.message, null, e.details)
    throw e
  }

  const evidence = addRuntimeFindings(inspected, facts, log, s.workingDirectory)
  const j = judge({ binaries: evidence, sources, sourceFiles: sourceFiles.length, facts, measurement, threads: s.threads, minSpeedup: s.minSpeedup })
  // One speedup everywhere: the output, the terminal, the summary and the comment all give it at the judged count.
  const speeds = j.cases.filter(c => !c.error).map(c => c.judged?.estimate ?? NaN).filter(Number.isFinite)
  const errors = [...(measurement?.cases ?? []), ...(measurement ? [measurement.control] : [])].filter(c => c.error).map(c => `Case '${c.name}': ${c.error}`)

  const report = validateReport(fitBounds({
    schema: 'thread-scaling-check/report',
    version: REPORT_SCHEMA_VERSION,
    tool: { name: pkg.name, version: pkg.version },
    createdAt: new Date().toISOString(),
    verdict: j.verdict,
    reasons: j.reasons,
    speedup: speeds.length ? Math.min(...speeds) : null,
    settings: { workingDirectory: s.workingDirectory, buildCommand: s.buildCommand, workload: s.workload, threads: s.threads, minSpeedup: s.minSpeedup, failOn: s.failOn, maxTime: s.maxTime },
    runner: { ...facts, os: process.env.RUNNER_OS ?? os.type(), arch: process.env.RUNNER_ARCH ?? process.arch },
    threshold: j.threshold,
    build:
      built && stage
        ? { command: built.command, seconds: built.seconds, exitCode: built.exitCode, log: built.logPath, compileDatabase: stage.compileDatabase, audit: stage.audit, cache: stage.cache, fixApplied: stage.fixApplied }
        : null,
    remediation: await remediation(s, j.binaries, stage?.audit ?? null),
    binaries: j.binaries.map((b, i) => ({ ...b, images: evidence[i].images })),
    sources,
    cases: j.cases,
    control: j.control,
    controlScales: j.controlScales,
    measurement: measurement ? { rounds: measurement.rounds, seconds: measurement.seconds, stoppedBy: measurement.stoppedBy, workloadInfo: measurement.workloadInfo, reference: measurement.reference, ...(measurement.counting ? { counting: measurement.counting } : {}), samples: [...measurement.cases, measurement.control].map(c => ({ name: c.name, iters: c.iters, samples: c.samples, ...(c.reference ? { reference: c.reference } : {}) })) } : null,
    errors
  }))
  writeReport(s.reportPath, report)
  return report
}
