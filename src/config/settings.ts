/** What fail-on accepts: the lowest verdict that fails the step. */
export type FailOn = 'fail' | 'inconclusive' | 'never'

/** Built-in workloads shipped with the action. */
export type Preset = 'torchvision'

/** What `mode` accepts: `check` builds, measures and judges; `comment` posts the reports of a finished run. */
export type Mode = 'check' | 'comment'

/** What `comment` accepts: when to write the sticky PR comment. */
export type CommentWhen = 'auto' | 'always' | 'never'

/** Inputs for what the action writes to GitHub: the PR comment, the nightly issue, the baseline comparison. */
export interface PublishSettings {
  /** `check`: build, measure and judge. `comment`: in a workflow_run workflow, post the reports the triggering run uploaded. */
  mode: Mode
  /** `auto`: comment on pull_request events; `always`: also on other events whose commit has an open PR; `never`: no comment and no nightly issue. */
  comment: CommentWhen
  /** This matrix leg's section name; null means derived from the runner's OS and arch and the Python and torch versions. */
  leg: string | null
  /** Largest relative drop of a case's speedup against the base branch that is not flagged (0.15 = 15%). */
  regressionTolerance: number
  /** Token for the GitHub API; empty when absent (local runs). */
  githubToken: string
}

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
  /** Build through ccache, its folder saved and restored with @actions/cache. */
  cache: boolean
  /** Add OpenMP flags through the environment for this run only, to try the fix before committing it. */
  applyOpenmpFix: boolean
  /** PR comment, nightly issue and baseline inputs. */
  publish: PublishSettings
}
