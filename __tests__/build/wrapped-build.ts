/**
 * Shared by the build tests: a real build of a copy of the example extension
 * through the compiler wrappers, audited. Not a test file itself.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { auditBuild, type BuildAudit } from '../../src/build/audit.js'
import { buildRecord, type BuildRecord } from '../../src/build/build-record.js'
import { runBuild, type BuildResult } from '../../src/build/run-build.js'
import { prepareWrappers, type RecordedBuild } from '../../src/build/wrappers.js'
import { inspectBinary } from '../../src/inspect/inspect-binary.js'
import type { Log } from '../../src/log.js'
import { copyExample } from '../../__fixtures__/run-action.js'

export const quiet: Log = { info: () => undefined, debug: () => undefined, warning: () => undefined, error: () => undefined, notice: () => undefined, group: (_n, fn) => fn() }

/** A fresh copy of examples/parallel-ext in a new temp folder. */
export function freshExample(prefix: string): string {
  return copyExample('parallel-ext', fs.mkdtempSync(path.join(os.tmpdir(), prefix)))
}

export interface WrappedBuild {
  dir: string
  build: BuildResult
  recorded: RecordedBuild
  audit: BuildAudit
  /** The extension binary the build wrote. */
  binary: string
  forkImports: string[]
}

/** Builds `dir` with `command`, through the wrappers unless `wrapped` is false, and returns the build stage's record of it. Throws with the log tail when the build fails. */
export async function recordedBuild(dir: string, command: string, python: string, env: Record<string, string> = {}, { ccache = null, wrapped = true }: { ccache?: string | null; wrapped?: boolean } = {}): Promise<{ build: BuildResult; recorded: RecordedBuild | null; record: BuildRecord }> {
  // The PARALLEL_EXT_OPENMP of the test runner must not leak into a build meant to be serial.
  const base = { ...process.env, PARALLEL_EXT_OPENMP: '', ...env }
  const w = wrapped ? prepareWrappers({ outputDir: path.join(dir, '.thread-scaling-check'), env: base, ccache }) : null
  const build = await runBuild({ command, cwd: dir, python, logPath: path.join(dir, '.thread-scaling-check', 'build.log'), log: quiet, env: { PARALLEL_EXT_OPENMP: '', ...env, ...w?.env } })
  const recorded = w ? await w.finish() : null
  if (build.exitCode !== 0) throw new Error(`build failed (${build.exitCode}):\n${build.log.slice(-3000)}`)
  return { build, recorded, record: buildRecord(build, recorded, dir) }
}

/** Builds `dir` with `command` through the wrappers (plus `env`), then audits what ran. */
export async function wrappedBuild(dir: string, command: string, python: string, env: Record<string, string> = {}, ccache: string | null = null): Promise<WrappedBuild> {
  const { build, recorded, record } = await recordedBuild(dir, command, python, env, { ccache })
  if (!recorded) throw new Error('the wrappers recorded nothing')
  const audit = record.audit ?? auditBuild({ compileDb: [], links: record.links, projectDir: dir, readFile: () => null })
  const binary = findBinary(dir)
  const forkImports = inspectBinary(binary).flatMap(i => i.openmp.forkImports)
  return { dir, build, recorded, audit, binary, forkImports }
}

/** The parallel_ext shared object under dir (in place, or in site-packages-like build output). */
export function findBinary(dir: string): string {
  const hits: string[] = []
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name)
      if (e.isDirectory() && e.name !== '.thread-scaling-check') walk(p)
      else if (/^parallel_ext.*\.(so|dylib|pyd)$/.test(e.name)) hits.push(p)
    }
  }
  walk(dir)
  if (hits.length === 0) throw new Error(`no parallel_ext binary under ${dir}`)
  return hits.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0]
}
