import * as path from 'node:path'
import { Inputs, THRESHOLD_THREADS, WORK_DIR_NAME, type InputName } from '../constants.js'
import type { CommentWhen, FailOn, Mode, Preset, PublishSettings, Settings } from './settings.js'

/** Raised for a bad input; the message names the input and what it accepts. */
export class InputError extends Error {
  constructor(
    readonly input: InputName,
    message: string
  ) {
    super(`Input '${input}': ${message}`)
    this.name = 'InputError'
  }
}

/** The outside world the parser needs, injected so parsing stays pure and testable. */
export interface ParseContext {
  /** Returns the raw input value ('' when unset). */
  getInput: (name: InputName) => string
  /** Directory relative paths resolve from (GITHUB_WORKSPACE on a runner, cwd locally). */
  baseDirectory: string
  isDirectory: (p: string) => boolean
  isFile: (p: string) => boolean
}

/**
 * Defaults live here as well as in action.yml: the runner applies action.yml's
 * defaults, but a bare `node dist/index.js` or the CLI does not.
 */
export const DEFAULTS = {
  python: 'python3',
  threads: '1,2,4',
  minSpeedup: '2.0',
  failOn: 'fail',
  maxTime: '90',
  mode: 'check',
  comment: 'auto',
  regressionTolerance: '0.15'
} as const

const FAIL_ON: readonly FailOn[] = ['fail', 'inconclusive', 'never']
const MAX_THREADS = 1024
/** Each count starts its own torch processes every round, so a long list multiplies the run. */
const MAX_THREAD_COUNTS = 8

export function parseSettings(ctx: ParseContext): Settings {
  const raw = (name: InputName, fallback = ''): string => ctx.getInput(name).trim() || fallback

  const workingDirectory = path.resolve(ctx.baseDirectory, raw(Inputs.WorkingDirectory, '.'))
  if (!ctx.isDirectory(workingDirectory)) {
    throw new InputError(Inputs.WorkingDirectory, `'${workingDirectory}' is not a directory. Give the folder that holds the extension's setup.py or CMakeLists.txt.`)
  }

  const python = raw(Inputs.Python, DEFAULTS.python)
  const buildRaw = raw(Inputs.BuildCommand)
  const buildCommand = buildRaw === 'none' ? null : buildRaw || `${shellQuote(python)} setup.py build_ext --inplace`

  const preset = parsePreset(raw(Inputs.Preset))
  const workload = parseWorkload(raw(Inputs.Workload), workingDirectory, ctx)
  if (preset && workload) {
    throw new InputError(Inputs.Preset, `'${preset}' and workload '${raw(Inputs.Workload)}' were both given. Give one: the preset is a built-in workload.`)
  }
  const threads = parseThreads(raw(Inputs.Threads, DEFAULTS.threads))
  const minSpeedup = parseMinSpeedup(raw(Inputs.MinSpeedup, DEFAULTS.minSpeedup))
  const failOn = parseFailOn(raw(Inputs.FailOn, DEFAULTS.failOn))
  const maxTime = parseMaxTime(raw(Inputs.MaxTime, DEFAULTS.maxTime))
  const reportPath = path.resolve(workingDirectory, raw(Inputs.ReportPath, path.join(WORK_DIR_NAME, 'report.json')))
  if (ctx.isDirectory(reportPath)) {
    throw new InputError(Inputs.ReportPath, `'${reportPath}' is a directory; give a file path such as report.json.`)
  }

  const cache = parseBoolean(Inputs.Cache, raw(Inputs.Cache, 'false'))
  const applyOpenmpFix = parseBoolean(Inputs.ApplyOpenmpFix, raw(Inputs.ApplyOpenmpFix, 'false'))
  if ((cache || applyOpenmpFix) && buildCommand === null) {
    throw new InputError(cache ? Inputs.Cache : Inputs.ApplyOpenmpFix, `needs a build, but build-command is 'none'. Give the build command, or turn this input off.`)
  }

  return {
    cache,
    applyOpenmpFix,
    workingDirectory,
    buildCommand,
    python,
    extensions: parseList(raw(Inputs.Extensions)),
    sources: parseList(raw(Inputs.Sources)),
    workload,
    preset,
    threads,
    minSpeedup,
    failOn,
    maxTime,
    reportPath,
    publish: parsePublishSettings(ctx.getInput)
  }
}

/** YAML 1.2 core booleans, as @actions/core's getBooleanInput takes them. */
export function parseBoolean(input: InputName, value: string): boolean {
  if (/^(true|True|TRUE)$/.test(value)) return true
  if (/^(false|False|FALSE)$/.test(value)) return false
  throw new InputError(input, `'${value}' is not a boolean. Give true or false.`)
}

/**
 * Newline- or comma-separated list, blanks dropped (the usual shape of
 * multi-value action inputs). Commas inside braces belong to a glob
 * such as `csrc/*.{cpp,h}`, so they do not split.
 */
export function parseList(value: string): string[] {
  const items: string[] = []
  let depth = 0
  let current = ''
  for (const c of value) {
    if (c === '{') depth++
    else if (c === '}') depth = Math.max(0, depth - 1)
    if (c === '\n' || (c === ',' && depth === 0)) {
      items.push(current)
      current = ''
    } else current += c
  }
  items.push(current)
  return items.map(s => s.trim()).filter(s => s.length > 0)
}

function parseWorkload(value: string, workingDirectory: string, ctx: ParseContext): string | null {
  if (!value) return null
  const file = path.resolve(workingDirectory, value)
  if (!ctx.isFile(file)) {
    throw new InputError(Inputs.Workload, `'${value}' was not found (looked for ${file}). Give a Python file, relative to working-directory, that defines cases().`)
  }
  if (!file.endsWith('.py')) {
    throw new InputError(Inputs.Workload, `'${value}' is not a .py file. Give a Python file that defines cases().`)
  }
  return file
}

const PRESETS: readonly Preset[] = ['torchvision']

export function parsePreset(value: string): Preset | null {
  if (!value) return null
  const v = value.toLowerCase() as Preset
  if (!PRESETS.includes(v)) throw new InputError(Inputs.Preset, `'${value}' is not a known preset. Known presets: ${PRESETS.map(p => `'${p}'`).join(', ')}.`)
  return v
}

export function parseThreads(value: string): number[] {
  const accepted = `Give a comma-separated list of whole thread counts that includes 1, for example '1,2,4'.`
  const parts = parseList(value)
  const counts = parts.map(p => (/^\d+$/.test(p) ? Number(p) : NaN))
  const bad = parts.filter((_, i) => !Number.isInteger(counts[i]) || counts[i] < 1 || counts[i] > MAX_THREADS)
  if (parts.length === 0 || bad.length > 0) {
    const what = parts.length === 0 ? 'is empty' : `has ${bad.map(b => `'${b}'`).join(', ')}, which ${bad.length > 1 ? 'are' : 'is'} not a thread count from 1 to ${MAX_THREADS}`
    throw new InputError(Inputs.Threads, `'${value}' ${what}. ${accepted}`)
  }
  const unique = [...new Set(counts)].sort((a, b) => a - b)
  if (unique.length > MAX_THREAD_COUNTS) {
    throw new InputError(Inputs.Threads, `'${value.slice(0, 100)}${value.length > 100 ? '…' : ''}' lists ${unique.length} thread counts; at most ${MAX_THREAD_COUNTS} are measured, since each count runs its own processes every round. ${accepted}`)
  }
  if (unique[0] !== 1) {
    throw new InputError(Inputs.Threads, `'${value}' lacks 1, the baseline every speedup is measured against. ${accepted}`)
  }
  if (unique.length < 2) {
    throw new InputError(Inputs.Threads, `'${value}' has no count above 1, so there is no scaling to measure. ${accepted}`)
  }
  return unique
}

export function parseMinSpeedup(value: string): number {
  const x = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN
  if (!(x >= 1 && x <= THRESHOLD_THREADS)) {
    throw new InputError(Inputs.MinSpeedup, `'${value}' is not a speedup from 1 to ${THRESHOLD_THREADS}. It is the speedup required at ${THRESHOLD_THREADS} threads, for example 2.0 (efficiency 50%).`)
  }
  return x
}

export function parseFailOn(value: string): FailOn {
  const v = value.toLowerCase() as FailOn
  if (!FAIL_ON.includes(v)) {
    throw new InputError(Inputs.FailOn, `'${value}' is not one of ${FAIL_ON.map(f => `'${f}'`).join(', ')}.`)
  }
  return v
}

export function parseMaxTime(value: string): number {
  const x = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN
  if (!(x >= 5 && x <= 3600)) {
    throw new InputError(Inputs.MaxTime, `'${value}' is not a number of seconds from 5 to 3600 (the time budget for measuring one binary).`)
  }
  return x
}

/** Single-quote for sh, so an interpreter path with spaces still runs. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`
}

const MODES: readonly Mode[] = ['check', 'comment']
const COMMENT_WHEN: readonly CommentWhen[] = ['auto', 'always', 'never']
const MAX_LEG = 80

/**
 * The inputs for what goes to GitHub. `mode: comment` parses only these:
 * it builds nothing, so the build inputs do not apply.
 */
export function parsePublishSettings(getInput: (name: InputName) => string): PublishSettings {
  const raw = (name: InputName, fallback = ''): string => getInput(name).trim() || fallback
  const mode = raw(Inputs.Mode, DEFAULTS.mode).toLowerCase() as Mode
  if (!MODES.includes(mode)) throw new InputError(Inputs.Mode, `'${raw(Inputs.Mode)}' is not one of ${MODES.map(m => `'${m}'`).join(', ')}. Use 'comment' only in a workflow_run workflow that posts another run's reports.`)
  const comment = raw(Inputs.Comment, DEFAULTS.comment).toLowerCase() as CommentWhen
  if (!COMMENT_WHEN.includes(comment)) throw new InputError(Inputs.Comment, `'${raw(Inputs.Comment)}' is not one of ${COMMENT_WHEN.map(c => `'${c}'`).join(', ')}.`)
  const leg = raw(Inputs.Leg)
  if (leg.length > MAX_LEG || /[\u0000-\u001f\u007f]/.test(leg)) {
    throw new InputError(Inputs.Leg, `'${leg.slice(0, 100)}' is not a leg name: give one line of at most ${MAX_LEG} characters, such as 'Linux X64 py3.12', or leave it empty to derive it from the runner.`)
  }
  return { mode, comment, leg: leg || null, regressionTolerance: parseTolerance(raw(Inputs.RegressionTolerance, DEFAULTS.regressionTolerance)), githubToken: raw(Inputs.GithubToken) }
}

/** A fraction (0.15) or a percentage (15%), from 0 up to but not including 1. */
export function parseTolerance(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(value)
  const x = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN
  if (!(x >= 0 && x < 1)) {
    throw new InputError(Inputs.RegressionTolerance, `'${value}' is not a tolerance. Give the largest accepted drop of a speedup against the base branch as a fraction from 0 to below 1 (0.15) or a percentage (15%).`)
  }
  return x
}
