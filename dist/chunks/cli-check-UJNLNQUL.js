import { createRequire as __tscCreateRequire } from 'node:module'; const require = __tscCreateRequire(import.meta.url);
import {
  CheckError,
  Inputs,
  boundCell,
  interval,
  num,
  parseSettings,
  regionsCell,
  renderAuditText,
  renderBuildCacheText,
  renderRunOnlyFixText,
  reportView,
  runCheck,
  seconds,
  stepFails
} from "./chunk-BFACOZG3.js";
import {
  parallelPath
} from "./chunk-HUOMJNEE.js";

// src/cli-check.ts
import * as fs from "node:fs";
import { parseArgs } from "node:util";

// src/report/terminal.ts
var TAG = { pass: "PASS", fail: "FAIL", inconclusive: "INCONCLUSIVE", skipped: "SKIPPED" };
function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => "  " + r.map((c, i) => i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])).join("  "));
}
function binaryLines(b, v) {
  const out = ["", `Binary ${b.path}: ${TAG[b.verdict]}`];
  for (const i of b.images) out.push(`  ${i.format} ${i.arch}${i.stripped ? ", stripped" : ""}: ${parallelPath(i.openmp)}; runtimes ${i.openmp.runtimes.map((x) => x.library).join(", ") || "none"}`);
  for (const reason of b.reasons) out.push(`  ${reason}`);
  for (const f of b.runtimeFindings) for (const fix of f.fix) out.push(`    fix: ${fix}`);
  for (const h of b.lostLines.slice(0, 10)) out.push(`    ${h.file}:${h.line}: ${h.text}`);
  if (b.lostLines.length > 10) out.push(`    ... and ${b.lostLines.length - 10} more`);
  if (b.failedForLostOpenMP && v.fix?.kind === "flags") {
    out.push(`  Fix (${v.fix.platform}), in setup.py's CppExtension(...):`);
    for (const line of v.fix.setupPy.split("\n")) out.push(`    ${line}`);
  }
  return out;
}
function caseLines(c) {
  const out = ["", `Case ${c.name}: ${TAG[c.verdict]}`];
  for (const reason of c.reasons) out.push(`  ${reason}`);
  if (c.error || c.rows.length === 0) return out;
  const counted = c.counted;
  return [
    ...out,
    ...table([
      ["threads", "time/call", "speedup (95% interval)", ...counted ? ["Amdahl bound"] : [], "efficiency", "CPU/wall", "busy", ...counted ? ["regions ext/torch"] : []],
      ...c.rows.map((x) => [`${x.threads}${x.judged ? "*" : x.oversubscribed ? " (over)" : ""}`, seconds(x.seconds), interval(x.speedup), ...counted ? [boundCell(x.regions)] : [], `${num(x.efficiency * 100, 0)}%`, num(x.cpuPerWall), String(x.busyThreads ?? "n/a"), ...counted ? [regionsCell(x.regions)] : []]),
      ...c.reference ? [[`${c.reference.copies} copies`, "", interval(c.reference.throughput), ...counted ? [""] : [], "", "", "", ...counted ? [""] : []]] : []
    ])
  ];
}
function renderTerminal(r) {
  const v = reportView(r);
  const t = v.threshold;
  const out = [`thread-scaling-check: ${TAG[v.verdict]}`];
  if (v.fixApplied) out.push(renderRunOnlyFixText(v.fixApplied).trimEnd());
  for (const reason of v.reasons) out.push(`  - ${reason}`);
  out.push("");
  out.push(`Required: ${num(t.required)}x at ${t.judgedThreads} threads (min-speedup ${num(t.minSpeedup)} at 4).${t.note ? ` ${t.note}` : ""}`);
  if (v.speedup !== null) out.push(`Speedup: ${num(v.speedup)}x at ${t.judgedThreads} threads (the lowest over the cases).`);
  const notes = [v.runner.steal, v.runner.reference].filter(Boolean).map((n) => `; ${n}`).join("");
  out.push(`Runner: ${v.runner.os} ${v.runner.arch}, ${v.runner.usableCpus} usable CPU(s) of ${v.runner.cpuCount}; torch ${v.runner.torchVersion}, ATen parallel backend ${v.runner.parallelBackend}${notes}`);
  for (const b of v.binaries) out.push(...binaryLines(b, v));
  for (const c of v.cases) out.push(...caseLines(c));
  const m = v.measured;
  for (const [k, val] of m?.workloadInfo ?? []) out.push(`Workload ${k}: ${val}`);
  if (m) out.push("", `Measured in ${m.rounds} round(s), ${num(m.seconds, 1)} s (stopped: ${m.stoppedBy}). * = judged thread count; copies = that many single-thread processes at once, the most this runner gives the work.`);
  if (m?.counting) out.push(m.counting);
  if (v.fix?.kind === "patch") out.push("", `Fix: apply this patch to ${v.fix.file} (git apply / patch -p1):`, v.fix.diff.trimEnd(), v.fix.note);
  if (v.build?.audit) out.push("", renderAuditText(v.build.audit).trimEnd());
  if (v.build?.cache) out.push("", renderBuildCacheText(v.build.cache).trimEnd());
  for (const e of v.errors) out.push("", `Error: ${e}`);
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
