import type { BuildAudit } from '../build/audit.js'
import type { BinaryEvidence } from './types.js'
import type { Log } from '../log.js'
import { hitsInBinary, mapSourcesToBinaries } from './compile-map.js'
import type { SourceHit } from '../sources/scan.js'
import type { RunnerFacts } from '../runner-facts.js'
import { torchLibrariesFrom, torchRuntime } from './torch-libs.js'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { compareRuntimes, mappedRuntimes, withMappedRuntimes } from './two-runtimes.js'

/**
 * Ties each binary to the sources compiled into it, from the build's own
 * records (log, build.ninja, compile_commands.json), so a project with
 * several extensions gets each finding on the right one. Where the records
 * say nothing, every scanned source stays a candidate.
 */
export function attributeSources(evidence: BinaryEvidence[], binaries: readonly string[], hits: readonly SourceHit[], cwd: string, buildLog: string, log: Log): BinaryEvidence[] {
  let mapped: ReturnType<typeof mapSourcesToBinaries>
  try {
    mapped = mapSourcesToBinaries({ cwd, log: buildLog, binaries })
  } catch (e) {
    log.debug(`Could not read the build's records: ${(e as Error).message}`)
    return evidence
  }
  return evidence.map((b, i) => {
    const m = mapped[i]
    if (!m || m.sources === null) return { ...b, sourcesHow: m?.how ?? 'no build records' }
    return { ...b, sources: hitsInBinary(hits, m.sources, cwd), sourceFiles: m.sources.length, sourcesHow: m.how }
  })
}

/**
 * Adds, per binary, what its OpenMP runtime means next to the one torch
 * loads (two thread pools, or OMP Error #15), from the libraries the
 * harness saw torch load.
 */
export function addRuntimeFindings(evidence: BinaryEvidence[], facts: RunnerFacts, log: Log, cwd = process.cwd()): BinaryEvidence[] {
  if (facts.torchLibDir === undefined) return evidence
  const torch = torchRuntime(torchLibrariesFrom({ lib: facts.torchLibDir, loaded: facts.torchCpuLoaded ?? [] }))
  if (!torch) return evidence
  log.info(`torch's OpenMP runtime: ${torch.runtimes.map(r => r.library).join(', ') || 'none'} (from ${torch.library})`)
  const mapped = facts.mappedLibraries ?? []
  const runtimes = mappedRuntimes(mapped)
  if (mapped.length) log.info(`OpenMP runtimes the measuring process mapped: ${runtimes.map(r => r.path).join(', ') || 'none'}`)
  return evidence.map(b => {
    // Where the workload imported this binary, what the process mapped replaces the prediction.
    const real = realpath(path.resolve(cwd, b.path))
    const loaded = real !== null && mapped.includes(real)
    const findings = b.images
      .map(img => {
        const found = compareRuntimes(img, torch)
        return loaded ? withMappedRuntimes(img, found, runtimes, torch) : found
      })
      .filter((f): f is NonNullable<typeof f> => f !== null)
    return findings.length ? { ...b, runtimeFindings: findings } : b
  })
}

function realpath(p: string): string | null {
  try {
    return fs.realpathSync(p)
  } catch {
    return null
  }
}

/**
 * Adds, per binary, the translation units the build's audit flagged (parallel
 * code compiled without OpenMP) that were linked into it: by the link's
 * output path, or by file name for a copy (setuptools --inplace, pip).
 * A binary whose other TUs import OpenMP still fails for these.
 */
export function addLostTus(evidence: BinaryEvidence[], binaries: readonly string[], audit: BuildAudit | null, cwd: string): BinaryEvidence[] {
  if (!audit || audit.flagged.length === 0) return evidence
  return evidence.map((b, i) => {
    const binary = path.resolve(cwd, binaries[i])
    const linked = (out: string): boolean => path.resolve(cwd, out) === binary || path.basename(out) === path.basename(binary)
    const lost = audit.flagged.filter(t => t.linkedInto.some(linked)).map(t => ({ file: t.file, family: t.family, hits: t.hits }))
    return lost.length ? { ...b, lostTus: lost } : b
  })
}
