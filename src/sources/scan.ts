/** Parallel constructs found in C/C++ sources, by a scan that ignores comments and string literals. */

export type Construct =
  /** at::parallel_for / at::parallel_reduce: parallel only when the TU is compiled with OpenMP (OpenMP backend). */
  | 'at-parallel'
  /** #pragma omp ...: parallel only when compiled with OpenMP, whatever torch's backend. */
  | 'omp-pragma'
  /** torch::stable::parallel_for: runs inside libtorch, needs no flags. */
  | 'stable-parallel'

export interface SourceHit {
  /** File path as given to the scanner. */
  file: string
  /** 1-based line and column. */
  line: number
  column: number
  construct: Construct
  /** The source line, trimmed, for messages. */
  text: string
}

/**
 * Blanks out comments and string/char literals (keeping newlines and
 * columns), so a commented-out parallel_for or one inside a log message does
 * not count.
 */
export function blankCommentsAndStrings(src: string): string {
  const out = src.split('')
  let i = 0
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' '
  }
  while (i < src.length) {
    const c = src[i]
    const n = src[i + 1]
    if (c === '/' && n === '/') {
      let j = i
      while (j < src.length && src[j] !== '\n') j += src[j] === '\\' && src[j + 1] === '\n' ? 2 : 1
      blank(i, j)
      i = j
    } else if (c === '/' && n === '*') {
      const end = src.indexOf('*/', i + 2)
      const j = end < 0 ? src.length : end + 2
      blank(i, j)
      i = j
    } else if (c === 'R' && n === '"' && !/[\w]/.test(src[i - 1] ?? '')) {
      // Raw string R"delim( ... )delim"
      const open = src.indexOf('(', i + 2)
      const delim = open < 0 ? '' : src.slice(i + 2, open)
      const end = open < 0 ? -1 : src.indexOf(`)${delim}"`, open)
      const j = end < 0 ? src.length : end + delim.length + 2
      blank(i + 1, j)
      i = j
    } else if (c === '"' || (c === "'" && !/[0-9a-fA-F]/.test(src[i - 1] ?? ''))) {
      // The ' test skips C++14 digit separators (1'000'000).
      let j = i + 1
      while (j < src.length && src[j] !== c && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1
      blank(i + 1, Math.min(j, src.length))
      i = j + 1
    } else {
      i++
    }
  }
  return out.join('')
}

const PATTERNS: { construct: Construct; re: RegExp }[] = [
  { construct: 'stable-parallel', re: /\b(?:torch\s*::\s*)?stable\s*::\s*parallel_for\b/g },
  // simd and declare directives vectorise; they start no threads.
  { construct: 'omp-pragma', re: /^[ \t]*#[ \t]*pragma[ \t]+omp[ \t]+(?!simd\b|declare\b|end\b)\w/gm },
  { construct: 'omp-pragma', re: /\b_Pragma\s*\(\s*"\s*omp\s+(?!simd\b|declare\b)\w/g },
  // Qualified calls, and unqualified ones after `using namespace at`.
  { construct: 'at-parallel', re: /(?<![\w:]\s*::\s*)(?<!stable\s*::\s*)\b(?:at\s*::\s*)?parallel_(?:for|reduce)\s*(?:<[^;{}()]*>)?\s*\(/g }
]

/** Finds parallel constructs in one file's text. */
export function scanSource(file: string, text: string): SourceHit[] {
  // _Pragma's string must survive blanking, so scan it on the raw text.
  const clean = blankCommentsAndStrings(text)
  const lineStarts = [0]
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1)
  const position = (offset: number): { line: number; column: number } => {
    let lo = 0
    let hi = lineStarts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (lineStarts[mid] <= offset) lo = mid
      else hi = mid - 1
    }
    return { line: lo + 1, column: offset - lineStarts[lo] + 1 }
  }
  const lines = text.split('\n')
  const hits: SourceHit[] = []
  const seen = new Set<string>()
  for (const { construct, re } of PATTERNS) {
    const haystack = re.source.includes('_Pragma') ? text : clean
    for (const m of haystack.matchAll(re)) {
      const offset = (m.index ?? 0) + (m[0].length - m[0].trimStart().length)
      if (re.source.includes('_Pragma') && clean.slice(offset, offset + 7) !== '_Pragma') continue
      const { line, column } = position(offset)
      const key = `${line}:${column}`
      if (seen.has(key)) continue
      seen.add(key)
      hits.push({ file, line, column, construct, text: lines[line - 1].trim() })
    }
  }
  return hits.sort((a, b) => a.line - b.line || a.column - b.column)
}

/** Hits whose parallelism depends on the TU being compiled with OpenMP flags. */
export function needsOpenMP(hit: SourceHit, torchBackendIsOpenMP: boolean): boolean {
  if (hit.construct === 'omp-pragma') return true
  if (hit.construct === 'at-parallel') return torchBackendIsOpenMP
  return false
}
