import { createRequire as __tscCreateRequire } from 'node:module'; const require = __tscCreateRequire(import.meta.url);
import {
  CheckError,
  Inputs,
  boundCell,
  countingNote,
  interval,
  lostOpenMP,
  num,
  openmpFix,
  parseSettings,
  referenceNote,
  regionsCell,
  renderAuditText,
  renderBuildCacheText,
  renderRunOnlyFixText,
  runCheck,
  seconds,
  stealNote,
  stepFails,
  stoppedBy
} from "./chunk-EOYB6UOW.js";
import {
  parallelPath
} from "./chunk-7NFGSRWZ.js";

// src/cli-check.ts
import * as fs from "node:fs";
import { parseArgs } from "node:util";

// src/report/terminal.ts
var counted = (c) => c.rows.some((r) => r.regions);
var TAG = { pass: "PASS", fail: "FAIL", inconclusive: "INCONCLUSIVE", skipped: "SKIPPED" };
function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => "  " + r.map((c, i) => i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])).join("  "));
}
function renderTerminal(r) {
  const out = [];
  out.push(`thread-scaling-check: ${TAG[r.verdict]}`);
  if (r.build?.fixApplied) out.push(renderRunOnlyFixText(r.build.fixApplied).trimEnd());
  for (const reason of r.reasons) out.push(`  - ${reason}`);
  const t = r.threshold;
  out.push("");
  out.push(`Required: ${num(t.required)}x at ${t.judgedThreads} threads (min-speedup ${num(t.minSpeedup)} at 4).${t.note ? ` ${t.note}` : ""}`);
  if (r.speedup !== null) out.push(`Speedup: ${num(r.speedup)}x at ${t.judgedThreads} threads (the lowest over the cases).`);
  const notes = [stealNote(r.measurement), referenceNote(r.measurement)].filter(Boolean).map((n) => `; ${n}`).join("");
  out.push(`Runner: ${r.runner.os} ${r.runner.arch}, ${r.runner.usableCpus} usable CPU(s) of ${r.runner.cpuCount}; torch ${r.runner.torchVersion}, ATen parallel backend ${r.runner.parallelBackend}${notes}`);
  for (const b of r.binaries) {
    out.push("");
    out.push(`Binary ${b.path}: ${TAG[b.verdict]}`);
    for (const i of b.images) {
      out.push(`  ${i.format} ${i.arch}${i.stripped ? ", stripped" : ""}: ${parallelPath(i.openmp)}; runtimes ${i.openmp.runtimes.map((x) => x.library).join(", ") || "none"}`);
    }
    for (const reason of b.reasons) out.push(`  ${reason}`);
    for (const f of b.runtimeFindings ?? []) for (const fix of f.fix) out.push(`    fix: ${fix}`);
    for (const h of b.lostLines.slice(0, 10)) out.push(`    ${h.file}:${h.line}: ${h.text}`);
    if (b.lostLines.length > 10) out.push(`    ... and ${b.lostLines.length - 10} more`);
    if (b.verdict === "fail" && lostOpenMP(b.cause) && !r.remediation) {
      const fix = openmpFix(r.runner.platform);
      out.push(`  Fix (${fix.platform}), in setup.py's CppExtension(...):`);
      for (const line of fix.setupPy.split("\n")) out.push(`    ${line}`);
    }
  }
  for (const c of [...r.cases, ...r.control ? [r.control] : []]) {
    out.push("");
    out.push(`Case ${c.name}: ${TAG[c.verdict]}`);
    for (const reason of c.reasons) out.push(`  ${reason}`);
    if (c.error || c.rows.length === 0) continue;
    out.push(
      ...table([
        ["threads", "time/call", "speedup (95% interval)", ...counted(c) ? ["Amdahl bound"] : [], "efficiency", "CPU/wall", "busy", ...counted(c) ? ["regions ext/torch"] : []],
        ...c.rows.map((x) => [`${x.threads}${x.threads === t.judgedThreads ? "*" : x.oversubscribed ? " (over)" : ""}`, seconds(x.seconds), interval(x.speedup), ...counted(c) ? [boundCell(x.regions)] : [], `${num(x.efficiency * 100, 0)}%`, num(x.cpuPerWall), String(x.busyThreads ?? "n/a"), ...counted(c) ? [regionsCell(x.regions)] : []]),
        ...c.reference ? [[`${c.reference.copies} copies`, "", interval(c.reference.throughput), ...counted(c) ? [""] : [], "", "", "", ...counted(c) ? [""] : []]] : []
      ])
    );
  }
  for (const [k, v] of Object.entries(r.measurement?.workloadInfo ?? {})) out.push(`Workload ${k}: ${v}`);
  if (r.measurement) out.push("", `Measured in ${r.measurement.rounds} round(s), ${num(r.measurement.seconds, 1)} s (stopped: ${stoppedBy(r.measurement.stoppedBy)}). * = judged thread count; copies = that many single-thread processes at once, the most this runner gives the work.`);
  const note = countingNote(r.measurement?.counting);
  if (note) out.push(note);
  if (r.remediation) out.push("", `Fix: apply this patch to ${r.remediation.file} (git apply / patch -p1):`, r.remediation.diff.trimEnd(), r.remediation.note);
  if (r.build?.audit) out.push("", renderAuditText(r.build.audit).trimEnd());
  if (r.build?.cache) out.push("", renderBuildCacheText(r.build.cache).trimEnd());
  for (const e of r.errors) out.push("", `Error: ${e}`);
  return out.join("\n") + "\n";
}

// src/cli-check.ts
var terminalLog = {
  info: (m) => process.stderr.write(m + "\n"),
  debug: (m) => process.env.RUNNER_DEBUG === "1" ? process.stderr.write(m + "\n") : void 0,
  warning: (m) => process.stderr.write(`warning: ${m}
`),
  error: (m, p) => process.stderr.write(`error: ${p?.file ? `${p.file}:${p.startLine ?? ""}: ` : ""}${m}
`),
  notice: (m) => process.stderr.write(`note: ${m}
`),
  group: async (name, fn) => {
    process.stderr.write(`
== ${name}
`);
    return fn();
  }
};
var CHECK_FLAGS = [Inputs.WorkingDirectory, Inputs.BuildCommand, Inputs.Python, Inputs.Extensions, Inputs.Sources, Inputs.Workload, Inputs.Preset, Inputs.Threads, Inputs.MinSpeedup, Inputs.FailOn, Inputs.MaxTime, Inputs.ReportPath];
async function check(argv, usage) {
  const options = { json: { type: "boolean" }, help: { type: "boolean", short: "h" } };
  for (const f of CHECK_FLAGS) options[f] = { type: "string" };
  const values = parseArgs({ args: argv, options, allowPositionals: false }).values;
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  const settings = parseSettings({
    getInput: (name) => String(values[name] ?? ""),
    baseDirectory: process.cwd(),
    isDirectory: (p) => fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false,
    isFile: (p) => fs.statSync(p, { throwIfNoEntry: false })?.isFile() ?? false
  });
  const report = await runCheck(settings, terminalLog);
  process.stdout.write(values.json ? JSON.stringify(report, null, 2) + "\n" : "\n" + renderTerminal(report));
  process.stderr.write(`Report written to ${settings.reportPath}
`);
  if (report.errors.length) return 2;
  return stepFails(report.verdict, settings.failOn) ? 1 : 0;
}
function errorDetails(e) {
  return e instanceof CheckError && e.details ? e.details + "\n" : "";
}
export {
  check,
  errorDetails
};
