/**
 * What the build stage hands on: one record of the build. Its log and start
 * time, and, when the wrappers recorded the commands, the compile database,
 * the link records and the per-TU audit. locate/ takes the binaries from its
 * links and inspect/ ties sources to binaries from it; both fall back to the
 * log and the file tree only where it says nothing.
 */
import * as fs from 'node:fs'
import { auditBuild, type BuildAudit } from './audit.js'
import { isNvccInternal, isProbe, type CompileEntry, type LinkEntry } from './compile-db.js'
import type { BuildResult } from './run-build.js'
import type { RecordedBuild } from './wrappers.js'

export interface BuildRecord {
  /** The build's output, as logged. */
  log: string
  /** When the build started (ms since epoch). */
  startedAt: number
  /** False when the wrappers could not record the commands: then compiles and links are empty and audit is null. */
  recorded: boolean
  /** Translation units compiled, in order (probes and nvcc's own host compiles left out). */
  compiles: CompileEntry[]
  /** Link commands, in order (probes left out). */
  links: LinkEntry[]
  /** The per-TU audit; null when no TU was recorded. */
  audit: BuildAudit | null
}

/** The record of a build that ran: `recorded` is what the wrappers collected, or null when they could not run. */
export function buildRecord(result: BuildResult, recorded: RecordedBuild | null, projectDir: string): BuildRecord {
  const base = { log: result.log, startedAt: result.startedAt }
  if (!recorded) return { ...base, recorded: false, compiles: [], links: [], audit: null }
  const families = Object.fromEntries(Object.entries(recorded.compilers).map(([p, c]) => [p, c.family]))
  const audit = recorded.compileDb.length
    ? auditBuild({ compileDb: recorded.compileDb, links: recorded.links, projectDir, readFile: f => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : null), families })
    : null
  return { ...base, recorded: true, compiles: recorded.compileDb, links: recorded.links, audit }
}

/** Shared libraries and Python extensions by name (.so, .dylib, .pyd); versioned sonames are not extensions. */
const SHARED_OUTPUT = /\.(so|dylib|pyd)$/

/** The record's links that wrote a shared library, last link per output; never a probe's or nvcc's own. */
export function sharedLibraryLinks(record: BuildRecord): LinkEntry[] {
  const byOutput = new Map<string, LinkEntry>()
  for (const l of record.links) if (SHARED_OUTPUT.test(l.output) && !isProbe(l) && !isNvccInternal(l)) byOutput.set(l.output, l)
  return [...byOutput.values()]
}

/** Archives are linked whole from elsewhere: their members are not traced to sources. */
const ARCHIVE = /\.(a|lib)$/

/**
 * The sources compiled into one link's output: each object on the line
 * through the compile that wrote it (a source on the line is its own).
 * `untraced` names the objects no recorded compile wrote (an up-to-date
 * object the build did not compile again); then `sources` is null.
 */
export function linkedSources(record: BuildRecord, link: LinkEntry): { sources: string[] | null; untraced: string[] } {
  const byObject = new Map(record.compiles.map(c => [c.output, c.file]))
  const sources = new Set<string>()
  const untraced: string[] = []
  for (const input of link.inputs) {
    if (ARCHIVE.test(input)) continue
    const source = byObject.get(input) ?? (record.compiles.some(c => c.file === input && c.output === link.output) ? input : undefined)
    if (source === undefined) untraced.push(input)
    else sources.add(source)
  }
  return { sources: untraced.length ? null : [...sources].sort(), untraced }
}
