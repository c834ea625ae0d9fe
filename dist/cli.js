#!/usr/bin/env node
import { createRequire as __tscCreateRequire } from 'node:module'; const require = __tscCreateRequire(import.meta.url);
import {
  inspectBinary,
  parallelPath
} from "./chunks/chunk-HUOMJNEE.js";

// src/cli.ts
import { parseArgs } from "node:util";
var USAGE = `Usage:
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
`;
function inspect(argv) {
  const { values, positionals } = parseArgs({ args: argv, options: { json: { type: "boolean" }, help: { type: "boolean", short: "h" } }, allowPositionals: true });
  if (values.help || positionals.length === 0) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }
  let status = 0;
  const results = [];
  for (const file of positionals) {
    try {
      for (const image of inspectBinary(file)) {
        results.push(image);
        if (!values.json) {
          const o = image.openmp;
          process.stdout.write(
            `${file} [${image.format} ${image.arch} ${image.kind}${image.stripped ? ", stripped" : ""}]: ${parallelPath(o)}
  fork entries: ${o.forkImports.join(", ") || "none"}
  OpenMP imports: ${o.imports.join(", ") || "none"}
  runtimes: ${o.runtimes.map((r) => `${r.library} (${r.family})`).join(", ") || "none"}
` + (o.resolution ? `  resolves: ${o.resolution.text}
` : o.runtimes.length > 0 ? `  resolves: nothing: the linked runtime is never called (weak evidence, not parallel)
` : "") + (image.partial ? `  partial read: ${image.partial}
` : "")
          );
        }
      }
    } catch (e) {
      status = 2;
      const message = `${file}: ${e.message}`;
      results.push({ path: file, error: e.message });
      process.stderr.write(`error: ${message}
`);
    }
  }
  if (values.json) process.stdout.write(JSON.stringify(results, null, 2) + "\n");
  return status;
}
async function main(argv) {
  const [command, ...rest] = argv;
  try {
    if (command === "check") return await (await import("./chunks/cli-check-UJNLNQUL.js")).check(rest, USAGE);
    if (command === "inspect") return inspect(rest);
    if (command === "--help" || command === "-h" || command === "help") {
      process.stdout.write(USAGE);
      return 0;
    }
    process.stderr.write(`error: unknown command ${command ? `'${command}'` : "(none)"}; expected 'check' or 'inspect'.

${USAGE}`);
    return 2;
  } catch (e) {
    const err = e;
    const known = err.name === "InputError" || err.name === "CheckError" || err.code?.startsWith("ERR_PARSE_ARGS");
    if (err.name === "CheckError") process.stderr.write((await import("./chunks/cli-check-UJNLNQUL.js")).errorDetails(e));
    process.stderr.write(`error: ${err.message}
`);
    if (!known) process.stderr.write(`${err.stack ?? ""}
`);
    return 2;
  }
}
process.exitCode = await main(process.argv.slice(2));
