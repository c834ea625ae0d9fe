import { createHash } from 'node:crypto'
import type { Report } from '../report/types.js'
import { clip } from './escape.js'

/** Longest leg name kept; longer names (from a report or the input) are cut. */
export const MAX_LEG_LENGTH = 80

/**
 * The default name of a matrix leg: what tells two legs of a plain matrix
 * apart. The report's runner facts carry RUNNER_OS and RUNNER_ARCH (set by
 * the pipeline) and the Python and torch versions the harness saw. GitHub's
 * hosted runners also set ImageOS (macos14, macos15, ubuntu24...), which
 * tells macos-14 from macos-15 when both run the same Python and torch.
 */
export function defaultLeg(runner: Pick<Report['runner'], 'os' | 'arch' | 'pythonVersion' | 'torchVersion'>, imageOs: string | null = null): string {
  const python = /^\d+\.\d+/.exec(runner.pythonVersion ?? '')?.[0]
  const image = imageOs && /^[a-z]+\d+$/i.test(imageOs) ? ` (${imageOs})` : ''
  return clip([`${runner.os} ${runner.arch}${image}`, python ? `Python ${python}` : '', `torch ${runner.torchVersion}`].filter(Boolean).join(' · '), MAX_LEG_LENGTH)
}

/**
 * The leg travels with the report: check mode writes it beside the report
 * (report.json -> report.leg.json), so an artifact read in `mode: comment`
 * names its section exactly as a same-repository run would, custom `leg`
 * input included.
 */
export function legFile(reportPath: string): string {
  return reportPath.replace(/(\.json)?$/i, '.leg.json')
}

export const LEG_SCHEMA = 'thread-scaling-check/leg'

export function legFileContent(leg: string): string {
  return JSON.stringify({ schema: LEG_SCHEMA, leg }) + '\n'
}

/** The leg named by a leg file's JSON, or null when it is not one (untrusted: it may come from a fork). */
export function legFromFile(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null
  const { schema, leg } = value as { schema?: unknown; leg?: unknown }
  if (schema !== LEG_SCHEMA || typeof leg !== 'string') return null
  const clean = clip(leg, MAX_LEG_LENGTH)
  return clean || null
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
