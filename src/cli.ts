#!/usr/bin/env node
/** The local command: the action's pipeline on a laptop, printing the report to the terminal. */
// Only what `inspect` needs is imported here: the check pipeline (and with it
// @actions/*, ajv) loads on demand, which keeps `inspect` on a 434 MB
// libtorch_cpu.so as quick as nm.
import { parseArgs } from 'node:util'
import { inspectBinary } from './inspect/inspect-binary.js'
import { parallelPath } from './inspect/openmp.js'

const USAGE = `Usage:
  thread-scaling-check check [options]   build, inspect, measure and judge an extension
  thread-scaling-check inspect FILE...    the static check alone: is OpenMP compiled in?

check options (same names and defaults as the action's inputs):
  --working-directory D   folder with the extension's setup.py (default: .)
  --build-command C       shell command that builds it (default: <python> setup.py build_ext --inplace; 'none' skips)
  --python P              interpreter that has torch (default: python3)
  --extensions GLOB       built binaries to inspect (default: shared libraries the build wrote)
  --sources GLOB          C/C++ sources to scan (default: all outside build/)
  --workload F            Python file defining cases() (default: none, static check only)
  --preset NAME           built-in workload instead of --workload: torchvision
  --threads LIST          thread counts (default: 1,2,4)
  --min-speedup X         required speedup at 4 threads (default: 2.0)
  --fail-on V             fail | inconclusive | never (default: fail)
  --max-time S            measuring budget per run, seconds (default: 90)
  --report-path F         JSON report path (default: .thread-scaling-check/report.json)
  --json                  print the JSON report instead of text

Exit status: 0 pass (or below fail-on), 1 failed check, 2 no verdict (bad input, build failure, workload error).
`

function inspect(argv: string[]): number {
  const { values, positionals } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true })
  if (values.help || positionals.length === 0) {
    process.stdout.write(USAGE)
    return values.help ? 0 : 2
  }
  let status = 0
  const results: object[] = []
  for (const file of positionals) {
    try {
      for (const image of inspectBinary(file)) {
        results.push(image)
        if (!values.json) {
          const o = image.openmp
          process.stdout.write(
            `${file} [${image.format} ${image.arch} ${image.kind}${image.stripped ? ', stripped' : ''}]: ${parallelPath(o)}\n` +
              `  fork entries: ${o.forkImports.join(', ') || 'none'}\n  OpenMP imports: ${o.imports.join(', ') || 'none'}\n  runtimes: ${o.runtimes.map(r => `${r.library} (${r.family})`).join(', ') || 'none'}\n` +
              (o.resolution ? `  resolves: ${o.resolution.text}\n` : o.runtimes.length > 0 ? `  resolves: nothing: the linked runtime is never called (weak evidence, not parallel)\n` : '') +
              (image.partial ? `  partial read: ${image.partial}\n` : '')
          )
        }
      }
    } catch (e) {
      status = 2
      const message = `${file}: ${(e as Error).message}`
      results.push({ path: file, error: (e as Error).message })
      process.stderr.write(`error: ${message}\n`)
    }
  }
  if (values.json) process.stdout.write(JSON.stringify(results, null, 2) + '\n')
  return status
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  try {
    if (command === 'check') return await (await import('./cli-check.js')).check(rest, USAGE)
    if (command === 'inspect') return inspect(rest)
    if (command === '--help' || command === '-h' || command === 'help') {
      process.stdout.write(USAGE)
      return 0
    }
    process.stderr.write(`error: unknown command ${command ? `'${command}'` : '(none)'}; expected 'check' or 'inspect'.\n\n${USAGE}`)
    return 2
  } catch (e) {
    const err = e as Error
    // Errors the user acts on print without a stack; the classes live in the lazily loaded modules, so go by name.
    const known = err.name === 'InputError' || err.name === 'CheckError' || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    if (err.name === 'CheckError') process.stderr.write((await import('./cli-check.js')).errorDetails(e))
    process.stderr.write(`error: ${err.message}\n`)
    if (!known) process.stderr.write(`${err.stack ?? ''}\n`)
    return 2
  }
}

process.exitCode = await main(process.argv.slice(2))
