/** What fail-on accepts: the lowest verdict that fails the step. */
export type FailOn = 'fail' | 'inconclusive' | 'never'

/** Built-in workloads shipped with the action. */
export type Preset = 'torchvision'

/** The action's inputs, parsed once and validated (see parse.ts). */
export interface Settings {
  /** Absolute directory the build runs in; it is on sys.path when the workload is imported. */
  workingDirectory: string
  /** Shell command that builds the extension, or null for `none` (already built by an earlier step). */
  buildCommand: string | null
  /** Python interpreter that has torch, used for the default build and for the harness. */
  python: string
  /** Glob patterns (relative to workingDirectory) of the extension binaries; empty means "the shared libraries the build wrote". */
  extensions: string[]
  /** Glob patterns of the C/C++ sources to scan for parallel constructs; empty means every C/C++ file outside build output. */
  sources: string[]
  /** Absolute path of the workload file (defines cases()), or null: then only the static check runs. */
  workload: string | null
  /** Built-in workload used instead of a workload file ('torchvision'), or null. */
  preset: Preset | null
  /** Thread counts to measure, ascending, starting at 1. */
  threads: number[]
  /** Required speedup at 4 threads. */
  minSpeedup: number
  /** Lowest verdict that fails the step. */
  failOn: FailOn
  /** Time budget in seconds for measuring one binary; measuring stops early once the verdict is clear. */
  maxTime: number
  /** Absolute path the JSON report is written to. */
  reportPath: string
  /** Token for the GitHub API; empty when absent (local runs). */
  githubToken: string
}
