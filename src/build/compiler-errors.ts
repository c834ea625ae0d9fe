/** The first compiler error in a build log, in a form GitHub can annotate. */
export interface CompilerError {
  file: string
  line: number
  column?: number
  message: string
}

// gcc/clang: "path:line:col: error: msg" (column optional, "fatal error" too).
const GNU = /^(?<file>[^\s:][^:]*?):(?<line>\d+):(?:(?<col>\d+):)?\s+(?:fatal\s+)?error:\s+(?<msg>.+)$/
// MSVC: "path(line[,col]): error|fatal error C1234: msg"
const MSVC = /^(?<file>[^\s(][^(]*?)\((?<line>\d+)(?:,(?<col>\d+))?\)\s*:\s+(?:fatal\s+)?error\s+\w+\d+:\s+(?<msg>.+)$/
// Colour codes that compilers emit when they think they talk to a terminal.
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g

export function firstCompilerError(log: string): CompilerError | null {
  for (const raw of log.split(/\r?\n/)) {
    const line = raw.replace(ANSI, '').trim()
    const m = GNU.exec(line) ?? MSVC.exec(line)
    if (m?.groups) {
      const { file, line: ln, col, msg } = m.groups
      return { file, line: Number(ln), column: col ? Number(col) : undefined, message: msg.trim() }
    }
  }
  return null
}

/** The last lines of a log, for an error message when no compiler error is recognisable. */
export function logTail(log: string, lines = 20): string {
  return log.replace(ANSI, '').trimEnd().split(/\r?\n/).slice(-lines).join('\n')
}
