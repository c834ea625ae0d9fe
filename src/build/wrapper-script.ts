/**
 * The text of one compiler wrapper: a POSIX sh script (dash, bash, macOS
 * /bin/sh) that records its command and then execs the real compiler.
 *
 * Why sh and not Python or node: the wrapper runs once per compile and per
 * link, also on ccache hits that take milliseconds, and it must not depend on
 * which interpreter the build uses. Why a file per invocation and not one
 * shared JSON-lines file: ninja runs compiles in parallel, and a shell's
 * printf may write one record in several write() calls, so appends to one
 * file could interleave; separate files can't. Fields are NUL-separated,
 * which no argument can contain, so nothing needs escaping in sh; the
 * records become JSON in node (see compile-db.ts).
 */

/** Environment variable naming the directory the wrappers write their records to. */
export const RECORD_DIR_ENV = 'TSC_COMPILER_RECORD_DIR'

/** First field of every record: lets the reader reject stray files and future formats. */
export const RECORD_MAGIC = 'tsc-record-1'

/** Quotes a word for sh: single quotes, with embedded ones closed, escaped and reopened. */
export function shQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`
}

export interface WrapperSpec {
  /** 'cc', 'cxx' or 'nvcc': which compiler the wrapper stands in for. */
  role: 'cc' | 'cxx' | 'nvcc'
  /** Absolute path of the real compiler. */
  compiler: string
  /** Words that came after the compiler in the original CC/CXX (e.g. `-m64`). */
  extraArgs: string[]
  /** Absolute path of ccache, to run the compiler through it; null for none. */
  ccache: string | null
}

export function wrapperScript(spec: WrapperSpec): string {
  const real = [spec.compiler, ...spec.extraArgs].map(shQuote).join(' ')
  const launcher = spec.ccache ? `${shQuote(spec.ccache)} ` : ''
  // nvcc also reads words from NVCC_PREPEND_FLAGS and NVCC_APPEND_FLAGS: record the
  // command it really runs (split at blanks, as nvcc splits them; no globbing).
  const args = spec.role === 'nvcc' ? '${NVCC_PREPEND_FLAGS:-} "$@" ${NVCC_APPEND_FLAGS:-}' : '"$@"'
  return [
    '#!/bin/sh',
    '# thread-scaling-check: records this compiler command, then runs the real compiler.',
    '# Generated; the records feed the compile database and the per-file flag audit.',
    `d="\${${RECORD_DIR_ENV}:-}"`,
    'if [ -n "$d" ] && [ -d "$d" ]; then',
    // noclobber makes the redirection fail when a record of a dead process with
    // the same pid exists, so a reused pid never overwrites a record.
    '  n=0',
    '  set -C -f',
    `  until { printf '%s\\0' ${shQuote(RECORD_MAGIC)} "$PWD" ${shQuote(spec.role)} ${real} ${args} > "$d/$$.$n.rec"; } 2>/dev/null; do`,
    '    n=$((n + 1))',
    // A full disk or a read-only directory must never break the build.
    '    [ "$n" -gt 20 ] && break',
    '  done',
    '  set +C +f',
    'fi',
    `exec ${launcher}${real} "$@"`,
    ''
  ].join('\n')
}
