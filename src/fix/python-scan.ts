/**
 * Just enough of Python's lexical structure to edit a setup.py safely:
 * comments and string literals blanked (keeping offsets), bracket matching,
 * and splitting a call's arguments at top-level commas. Pure.
 */

/** Replaces the insides of comments and string literals with spaces; offsets and newlines are kept. */
export function blankPython(src: string): string {
  const out = src.split('')
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' '
  }
  let i = 0
  while (i < src.length) {
    const c = src[i]
    if (c === '#') {
      let j = i
      while (j < src.length && src[j] !== '\n') j++
      blank(i, j)
      i = j
    } else if (c === '"' || c === "'") {
      const triple = src.startsWith(c.repeat(3), i)
      const q = triple ? c.repeat(3) : c
      let j = i + q.length
      while (j < src.length && !src.startsWith(q, j) && (triple || src[j] !== '\n')) j += src[j] === '\\' ? 2 : 1
      blank(i + q.length, Math.min(j, src.length))
      i = j + q.length
    } else {
      i++
    }
  }
  return out.join('')
}

const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}' }

/** Offset of the bracket closing the one at `open` in blanked text; -1 when unbalanced. */
export function matchBracket(code: string, open: number): number {
  const stack: string[] = []
  for (let i = open; i < code.length; i++) {
    const c = code[i]
    if (OPEN[c]) stack.push(OPEN[c])
    else if (c === ')' || c === ']' || c === '}') {
      if (stack.pop() !== c) return -1
      if (stack.length === 0) return i
    }
  }
  return -1
}

export interface Arg {
  /** Keyword name, or null for a positional argument. */
  name: string | null
  /** Span of the value in the text: [start, end). */
  start: number
  end: number
}

/** The arguments between brackets at `open` and `close` (exclusive), split at top-level commas. */
export function splitArgs(code: string, open: number, close: number): Arg[] {
  const args: Arg[] = []
  let depth = 0
  let from = open + 1
  const push = (to: number): void => {
    const raw = code.slice(from, to)
    if (raw.trim() === '') return
    const lead = raw.length - raw.trimStart().length
    const kw = /^([A-Za-z_]\w*)\s*=(?!=)\s*/.exec(raw.trimStart())
    const start = from + lead + (kw ? kw[0].length : 0)
    const end = from + raw.trimEnd().length
    args.push({ name: kw ? kw[1] : null, start, end })
  }
  for (let i = open + 1; i < close; i++) {
    const c = code[i]
    if (OPEN[c]) depth++
    else if (c === ')' || c === ']' || c === '}') depth--
    else if (c === ',' && depth === 0) {
      push(i)
      from = i + 1
    }
  }
  push(close)
  return args
}
