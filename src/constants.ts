/** Names of the action's inputs, outputs and environment, in one place (as actions/cache does). */
export const Inputs = {
  WorkingDirectory: 'working-directory',
  BuildCommand: 'build-command',
  Python: 'python',
  Extensions: 'extensions',
  Sources: 'sources',
  Workload: 'workload',
  Preset: 'preset',
  Threads: 'threads',
  MinSpeedup: 'min-speedup',
  FailOn: 'fail-on',
  MaxTime: 'max-time',
  ReportPath: 'report-path',
  GithubToken: 'github-token',
  Mode: 'mode',
  Comment: 'comment',
  Leg: 'leg',
  RegressionTolerance: 'regression-tolerance',
  Cache: 'cache',
  ApplyOpenmpFix: 'apply-openmp-fix'
} as const

export type InputName = (typeof Inputs)[keyof typeof Inputs]

export const Outputs = {
  Verdict: 'verdict',
  Speedup: 'speedup',
  Report: 'report'
} as const

/** Version of the JSON report; bump the major on any incompatible change. */
export const REPORT_SCHEMA_VERSION = '1.4'

/** Where the action keeps its logs and report, relative to the working directory. */
export const WORK_DIR_NAME = '.thread-scaling-check'

/** The thread count the min-speedup threshold is stated for. */
export const THRESHOLD_THREADS = 4
