import { createHash } from 'node:crypto'
import type { Report } from '../report/types.js'
import { clip } from './escape.js'

/** Longest leg name kept; longer names (from a report or the input) are cut. */
export const MAX_LEG_LENGTH = 80

/**
 * The default name of a matrix leg: what tells two legs of a plain matrix
 * apart. The report's runner facts carry RUNNER_OS and RUNNER_ARCH (set by
 * the pipeline) and the Python and torch versions the harness saw, so a
 * report read back from an artifact names its leg the same way.
 */
export function defaultLeg(runner: Pick<Report['runner'], 'os' | 'arch' | 'pythonVersion' | 'torchVersion'>): string {
  const python = /^\d+\.\d+/.exec(runner.pythonVersion ?? '')?.[0]
  return clip([`${runner.os} ${runner.arch}`, python ? `Python ${python}` : '', `torch ${runner.torchVersion}`].filter(Boolean).join(' · '), MAX_LEG_LENGTH)
}

/** Stable id of a leg, for the section marker: hex, so no leg name can forge or break a marker. */
export function legId(leg: string): string {
  return createHash('sha256').update(leg).digest('hex').slice(0, 16)
}

/** A cache-key-safe rendering of the leg (keys allow no commas, and stay readable), made unique by its id. */
export function legKey(leg: string): string {
  const slug = leg
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
  return `${slug}-${legId(leg).slice(0, 8)}`
}
