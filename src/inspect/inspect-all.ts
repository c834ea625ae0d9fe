import * as path from 'node:path'
import type { BuildRecord } from '../build/build-record.js'
import type { Log } from '../log.js'
import type { SourceHit } from '../sources/scan.js'
import { addLostTus, attributeSources } from './attribution.js'
import { inspectBinary } from './inspect-binary.js'
import { parallelPath } from './openmp.js'
import type { BinaryEvidence } from './types.js'

/** Reads each binary; one that can't be read carries its error instead of images, so the others still count. */
function inspectFiles(files: readonly string[], cwd: string, log: Log): BinaryEvidence[] {
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

/** The static evidence per binary: what it imports, which sources went into it, and which of its TUs lost OpenMP. */
export function inspectAll(binaries: readonly string[], sources: readonly SourceHit[], cwd: string, record: BuildRecord | null, log: Log): BinaryEvidence[] {
  const attributed = attributeSources(inspectFiles(binaries, cwd, log), binaries, sources, cwd, record, log)
  return addLostTus(attributed, binaries, record, cwd)
}
