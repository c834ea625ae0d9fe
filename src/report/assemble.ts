import * as os from 'node:os'
import pkg from '../../package.json' with { type: 'json' }
import type { BuildStageResult } from '../build/build-stage.js'
import type { Settings } from '../config/settings.js'
import { REPORT_SCHEMA_VERSION } from '../constants.js'
import type { BinaryEvidence } from '../inspect/types.js'
import type { Judgement } from '../judge/types.js'
import type { Measurement } from '../measure/types.js'
import type { RunnerFacts } from '../runner-facts.js'
import type { SourceHit } from '../sources/scan.js'
import { fitBounds } from './bounds.js'
import { validateReport } from './schema.js'
import type { Report } from './types.js'

export interface ReportParts {
  settings: Settings
  stage: BuildStageResult | null
  facts: RunnerFacts
  measurement: Measurement | null
  judgement: Judgement
  /** Per binary, in the judgement's order: its images go into the report beside its verdict. */
  evidence: readonly BinaryEvidence[]
  sources: SourceHit[]
  remediation: Report['remediation']
}

function buildPart(stage: BuildStageResult | null): Report['build'] {
  if (!stage) return null
  const r = stage.result
  return { command: r.command, seconds: r.seconds, exitCode: r.exitCode, log: r.logPath, compileDatabase: stage.compileDatabase, audit: stage.record.audit, cache: stage.cache, fixApplied: stage.fixApplied }
}

function measurementPart(m: Measurement | null): Report['measurement'] {
  if (!m) return null
  const samples = [...m.cases, m.control].map(c => ({ name: c.name, iters: c.iters, samples: c.samples, ...(c.reference ? { reference: c.reference } : {}) }))
  return { rounds: m.rounds, seconds: m.seconds, stoppedBy: m.stoppedBy, workloadInfo: m.workloadInfo, reference: m.reference, ...(m.counting ? { counting: m.counting } : {}), samples }
}

/** The run's one report, cut to the schema's bounds and checked against it before anything reads it. */
export function assembleReport(p: ReportParts): Report {
  const { settings: s, judgement: j } = p
  return validateReport(fitBounds({
    schema: 'thread-scaling-check/report',
    version: REPORT_SCHEMA_VERSION,
    tool: { name: pkg.name, version: pkg.version },
    createdAt: new Date().toISOString(),
    verdict: j.verdict,
    reasons: j.reasons,
    speedup: j.speedup,
    settings: { workingDirectory: s.workingDirectory, buildCommand: s.buildCommand, workload: s.workload, threads: s.threads, minSpeedup: s.minSpeedup, failOn: s.failOn, maxTime: s.maxTime },
    runner: { ...p.facts, os: process.env.RUNNER_OS ?? os.type(), arch: process.env.RUNNER_ARCH ?? process.arch },
    threshold: j.threshold,
    build: buildPart(p.stage),
    remediation: p.remediation,
    binaries: j.binaries.map((b, i) => ({ ...b, images: p.evidence[i].images })),
    sources: p.sources,
    cases: j.cases,
    control: j.control,
    controlScales: j.controlScales,
    measurement: measurementPart(p.measurement),
    errors: j.errors
  } satisfies Report))
}
