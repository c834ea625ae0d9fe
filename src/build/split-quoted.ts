/**
 * Splits CC/CXX into words the way setuptools' distutils does
 * (distutils.util.split_quoted, which CCompiler.set_executable applies to
 * them): words end at unquoted ASCII whitespace; a backslash outside quotes
 * keeps the next character and drops itself; single and double quotes act
 * alike and are dropped, with what is inside kept as written (backslashes
 * included); a quote may escape its own kind with a backslash. Matching it
 * means the wrapper runs exactly the words the build would have run.
 */

/** The whitespace that ends a word (Python's string.whitespace). */
const WORD_END = ' \t\n\r\v\f'
/** What Python's str.strip() removes: its isspace() characters. */
const SPACE = '[\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]+'
const LEADING = new RegExp(`^${SPACE}`)
const TRAILING = new RegExp(`${SPACE}$`)

export class QuoteError extends Error {
  constructor(value: string, quote: string) {
    super(`'${value}' has an unmatched ${quote === '"' ? 'double' : 'single'} quote`)
    this.name = 'QuoteError'
  }
}

export function splitQuoted(value: string): string[] {
  let s = value.replace(LEADING, '').replace(TRAILING, '')
  const words: string[] = []
  let pos = 0
  while (s) {
    let end = pos
    while (end < s.length && !WORD_END.includes(s[end]) && s[end] !== '\\' && s[end] !== "'" && s[end] !== '"') end++
    if (end === s.length) {
      words.push(s)
      break
    }
    if (WORD_END.includes(s[end])) {
      words.push(s.slice(0, end))
      s = s.slice(end).replace(LEADING, '')
      pos = 0
    } else if (s[end] === '\\') {
      s = s.slice(0, end) + s.slice(end + 1)
      pos = end + 1
    } else {
      const close = closingQuote(s, end)
      if (close < 0) throw new QuoteError(value, s[end])
      s = s.slice(0, end) + s.slice(end + 1, close) + s.slice(close + 1)
      pos = close - 1
    }
    if (pos >= s.length) {
      words.push(s)
      break
    }
  }
  return words
}

/** Index of the quote closing the one at `open`, or -1 (Python's `'(?:[^'\\]|\\.)*'`: `.` is not a newline). */
function closingQuote(s: string, open: number): number {
  const q = s[open]
  for (let i = open + 1; i < s.length; i++) {
    if (s[i] === q) return i
    if (s[i] === '\\') {
      if (i + 1 >= s.length || s[i + 1] === '\n') return -1
      i++
    }
  }
  return -1
}
