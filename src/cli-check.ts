/**
 * The `check` command of the local tool. cli.ts loads this module only when
 * asked to check, so `inspect` starts without the pipeline, @actions/* and ajv.
 */
import * as fs from 'node:fs'
import { parseArgs } from 'node:util'
import { parseSettings } from './config/parse.js'
import { Inputs, type InputName } from './constants.js'
import { stepFails } from './judge/fail-on.js'
import type { Log } from './log.js'
import { CheckError, runCheck } from './pipeline.js'
import { renderTerminal } from './report/terminal.js'

/** Progress goes to stderr so stdout stays clean for --json. */
const terminalLog: Log = {
  info: m => process.stderr.write(m + '\n'),
  debug: m => (process.env.RUNNER_DEBUG === '1' ? process.stderr.write(m + '\n') : undefined),
  warning: m => process.stderr.write(`warning: ${m}\n`),
  error: (m, p) => process.stderr.write(`error: ${p?.file ? `${p.file}:${p.startLine ?? ''}: ` : ''}${m}\n`),
  notice: m => process.stderr.write(`note: ${m}\n`),
  group: async (name, fn) => {
    process.stderr.write(`\n== ${name}\n`)
    return fn()
  }
}

const CHECK_FLAGS: InputName[] = [Inputs.WorkingDirectory, Inputs.BuildCommand, Inputs.Python, Inputs.Extensions, Inputs.Sources, Inputs.Workload, Inputs.Preset, Inputs.Threads, Inputs.MinSpeedup, Inputs.FailOn, Inputs.MaxTime, Inputs.ReportPath]

export async function check(argv: string[], usage: string): Promise<number> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }
  for (const f of CHECK_FLAGS) options[f] = { type: 'string' }
  const values = parseArgs({ args: argv, options, allowPositionals: false }).values as Record<string, string | boolean | undefined>
  if (values.help) {
    process.stdout.write(usage)
    return 0
  }
  const settings = parseSettings({
    getInput: name => String(values[name] ?? ''),
    baseDirectory: process.cwd(),
    isDirectory: p => fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false,
    isFile: p => fs.statSync(p, { throwIfNoEntry: false })?.isFile() ?? false
  })
  const report = await runCheck(settings, terminalLog)
  process.stdout.write(values.json ? JSON.stringify(report, null, 2) + '\n' : '\n' + renderTerminal(report))
  process.stderr.write(`Report written to ${settings.reportPath}\n`)
  if (report.errors.length) return 2
  return stepFails(report.verdict, settings.failOn) ? 1 : 0
}

/** Extra lines to print for an error of the pipeline (the compiler's output). */
export function errorDetails(e: unknown): string {
  return e instanceof CheckError && e.details ? e.details + '\n' : ''
}
