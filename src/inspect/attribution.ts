import type { BuildRecord } from '../build/build-record.js'
import type { BinaryEvidence } from './types.js'
import type { Log } from '../log.js'
import { hitsInBinary, mapSourcesToBinaries, type BinarySources } from './compile-map.js'
import { recordedLink, recordedSources } from './recorded-link.js'
import type { SourceHit } from '../sources/scan.js'
import type { RunnerFacts } from '../runner-facts.js'
import { realPath } from '../paths.js'
import { torchLibrariesFrom, torchRuntime } from './torch-libs.js'
import * as path from 'node:path'
import { compareRuntimes, mappedRuntimes, withMappedRuntimes } from './two-runtimes.js'

/**
 * Ties each binary to the sources compiled into it, so a project with
 * several extensions gets each finding on the right one: from the build
 * record's link and compile entries, and where it says nothing for a binary
 * (no wrapper ran, or an object it did not see compiled), from the build's
 * log, build.ninja and compile_commands.json. Where neither says, every
 * scanned source stays a candidate.
 */
export function attributeSources(evidence: BinaryEvidence[], binaries: readonly string[], hits: readonly SourceHit[], cwd: string, record: BuildRecord | null, log: Log): BinaryEvidence[] {
  const recorded = binaries.map(b => recordedSources(record, path.resolve(cwd, b), cwd))
  let mapped: BinarySources[] | null = null
  if (recorded.some(r => r === null || r.sources === null)) {
    try {
      mapped = mapSourcesToBinaries({ cwd, log: record?.log ?? '', binaries })
    } catch (e) {
      log.debug(`Could not read the build's records: ${(e as Error).message}`)
    }
  }
  return evidence.map((b, i) => {
    // The record first; the log's answer where the record has none, or no sources.
    const m = [recorded[i], mapped?.[i]].find(x => x?.sources) ?? recorded[i] ?? mapped?.[i]
    if (!m) return b
    if (m.sources === null) return { ...b, sourcesHow: m.how }
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
    const real = realPath(path.resolve(cwd, b.path))
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


/**
 * Adds, per binary, the translation units the build's audit flagged (parallel
 * code compiled without OpenMP) that were linked into it: by its
 * recorded link (its own, or the one it is a copy of), else by its path or
 * file name (a copy from a link that is gone: pip's temporary build folder).
 * A binary whose other TUs import OpenMP still fails for these.
 */
export function addLostTus(evidence: BinaryEvidence[], binaries: readonly string[], record: BuildRecord | null, cwd: string): BinaryEvidence[] {
  const audit = record?.audit
  if (!audit || audit.flagged.length === 0) return evidence
  return evidence.map((b, i) => {
    const binary = path.resolve(cwd, binaries[i])
    const output = recordedLink(record, binary)?.link.output
    const linked = (out: string): boolean => (output !== undefined ? path.resolve(cwd, out) === output : path.resolve(cwd, out) === binary || path.basename(out) === path.basename(binary))
    const lost = audit.flagged.filter(t => t.linkedInto.some(linked)).map(t => ({ file: t.file, family: t.family, hits: t.hits }))
    return lost.length ? { ...b, lostTus: lost } : b
  })
}
