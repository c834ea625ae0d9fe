/**
 * Adds OpenMP flags to every CppExtension / CUDAExtension / Extension call
 * of a setup.py, merging with the arguments already there. Pure: text in,
 * patched text out.
 */
import { blankPython, matchBracket, splitArgs, type Arg } from './python-scan.js'

/** Flags as Python expressions (string literals, or expressions for torch's paths), plus what they need. */
export interface PythonFlags {
  compile: string[]
  link: string[]
  /** Modules the expressions use (`import os`), added when missing. */
  imports: string[]
  /** Lines defining names the expressions use, added after the imports. */
  preamble: string[]
}

const CALL = /\b(CppExtension|CUDAExtension|SyclExtension|Extension)\s*\(/g
const HELPER = '_with_openmp'
const ALREADY = /-fopenmp\b|\/openmp\b|-openmp:llvm/

interface Edit {
  at: number
  remove: number
  insert: string
}

const items = (flags: string[]): string => flags.join(', ')

/** Appends flags to a list literal spanning [start, end] (end = offset of ']'). */
function appendToList(code: string, open: number, close: number, flags: string[]): Edit {
  const inner = code.slice(open + 1, close)
  if (inner.trim() === '') return { at: open + 1, remove: close - open - 1, insert: items(flags) }
  const lastCode = open + 1 + inner.trimEnd().length // just after the last element (or its trailing comma)
  const trailingComma = code[lastCode - 1] === ','
  return { at: lastCode, remove: 0, insert: trailingComma ? ` ${items(flags)},` : `, ${items(flags)}` }
}

/** Edits that merge `flags` into a value: a list, a dict with 'cxx', or any other expression. */
function mergeValue(text: string, code: string, arg: Arg, flags: string[], cuda: boolean, assignments: Map<string, { open: number; close: number }>): { edits: Edit[]; helper: boolean } {
  const value = code.slice(arg.start, arg.end)
  if (value.startsWith('[') && matchBracket(code, arg.start) === arg.end - 1) {
    if (cuda) {
      // CUDAExtension passes a list to both the C++ compiler and nvcc; nvcc rejects -fopenmp, so split it.
      const list = text.slice(arg.start, arg.end)
      return { edits: [{ at: arg.start, remove: arg.end - arg.start, insert: `{"cxx": ${list.slice(0, -1)}${list.slice(1, -1).trim() ? ', ' : ''}${items(flags)}], "nvcc": ${list}}` }], helper: false }
    }
    return { edits: [appendToList(code, arg.start, arg.end - 1, flags)], helper: false }
  }
  if (value.startsWith('{') && matchBracket(code, arg.start) === arg.end - 1) {
    const entries = splitArgs(code, arg.start, arg.end - 1)
    for (const e of entries) {
      const entry = text.slice(e.start, e.end)
      const m = /^(['"])cxx\1\s*:\s*/.exec(entry)
      if (!m) continue
      const valueAt = e.start + m[0].length
      if (code[valueAt] === '[') {
        const close = matchBracket(code, valueAt)
        if (close > 0) return { edits: [appendToList(code, valueAt, close, flags)], helper: false }
      }
      return { edits: [{ at: valueAt, remove: e.end - valueAt, insert: `${HELPER}(${text.slice(valueAt, e.end)}, [${items(flags)}])` }], helper: true }
    }
    return { edits: [appendToList(code, arg.start, arg.end - 1, [`"cxx": [${items(flags)}]`])], helper: false }
  }
  const literal = /^[A-Za-z_]\w*$/.test(value) ? assignments.get(value) : undefined
  if (literal && !cuda) {
    if (code[literal.open] === '[') return { edits: [appendToList(code, literal.open, literal.close, flags)], helper: false }
    return mergeValue(text, code, { name: value, start: literal.open, end: literal.close + 1 }, flags, cuda, new Map())
  }
  return { edits: [{ at: arg.start, remove: arg.end - arg.start, insert: `${HELPER}(${text.slice(arg.start, arg.end)}, [${items(flags)}])` }], helper: true }
}

/** Top-level `name = [ ... ]` / `name = { ... }` assigned exactly once: a variable whose literal can be edited in place. */
function literalAssignments(code: string): Map<string, { open: number; close: number }> {
  const found = new Map<string, { open: number; close: number } | null>()
  for (const m of code.matchAll(/^([A-Za-z_]\w*)[ \t]*=(?!=)[ \t]*([[{]?)/gm)) {
    const name = m[1]
    const open = (m.index ?? 0) + m[0].length - 1
    const close = m[2] ? matchBracket(code, open) : -1
    found.set(name, found.has(name) || close < 0 ? null : { open, close })
  }
  return new Map([...found].filter((e): e is [string, { open: number; close: number }] => e[1] !== null))
}

/** Inserts a missing keyword argument before the call's closing bracket, on its own line when the call spans lines. */
function addKeyword(text: string, code: string, open: number, close: number, args: Arg[], kw: string): Edit {
  const last = args[args.length - 1]
  if (!last) return { at: open + 1, remove: 0, insert: kw }
  const afterLast = code.slice(last.end, close)
  const comma = afterLast.trimStart().startsWith(',')
  const multiline = text.slice(open, close).includes('\n') && afterLast.includes('\n')
  if (multiline) {
    const lineStart = text.lastIndexOf('\n', last.start) + 1
    const argLineStart = text.slice(lineStart, last.start)
    const indent = /^[ \t]*/.exec(argLineStart)?.[0] ?? '    '
    const at = comma ? last.end + afterLast.indexOf(',') + 1 : last.end
    return { at, remove: 0, insert: `${comma ? '' : ','}\n${indent}${kw},` }
  }
  const at = comma ? last.end + afterLast.indexOf(',') + 1 : last.end
  return { at, remove: 0, insert: `${comma ? ' ' : ', '}${kw}` }
}

function helperSource(): string[] {
  return [
    '',
    `def ${HELPER}(args, flags):`,
    '    # Added by thread-scaling-check: OpenMP flags for a list of arguments, or for its "cxx" entry.',
    '    if isinstance(args, dict):',
    '        return {**args, "cxx": list(args.get("cxx", [])) + flags}',
    '    return list(args) + flags',
    ''
  ]
}

/** Offset just after the last top-level import line (0 when none). */
function afterImports(code: string): number {
  let at = 0
  for (const m of code.matchAll(/^(import[ \t]+\S.*|from[ \t]+\S+[ \t]+import[ \t]+.*)$/gm)) {
    let end = (m.index ?? 0) + m[0].length
    const paren = m[0].lastIndexOf('(')
    if (paren >= 0 && !m[0].includes(')')) end = matchBracket(code, (m.index ?? 0) + paren) + 1
    at = code.indexOf('\n', end) + 1 || code.length
  }
  return at
}

/**
 * Returns the patched text, or null when there is nothing to patch: no
 * extension call, or every call already passes an OpenMP flag.
 */
export function patchSetupPyText(text: string, flags: PythonFlags): string | null {
  const code = blankPython(text)
  const assignments = literalAssignments(code)
  const edits: Edit[] = []
  let helper = false
  for (const m of code.matchAll(CALL)) {
    const open = (m.index ?? 0) + m[0].length - 1
    const close = matchBracket(code, open)
    if (close < 0) continue
    // A call whose arguments (or the variables they name) already carry an OpenMP flag is left alone.
    const args = splitArgs(code, open, close)
    const argText = (name: string): string | null => {
      const a = args.find(x => x.name === name)
      if (!a) return null
      const v = text.slice(a.start, a.end)
      const lit = assignments.get(v)
      return lit ? text.slice(lit.open, lit.close + 1) : v
    }
    if (ALREADY.test(argText('extra_compile_args') ?? '')) continue
    if (/^(class|def)\b/.test(text.slice(text.lastIndexOf('\n', m.index ?? 0) + 1).trimStart())) continue
    const cuda = m[1] === 'CUDAExtension'
    for (const [name, list] of [['extra_compile_args', flags.compile], ['extra_link_args', flags.link]] as const) {
      if (list.length === 0) continue
      const arg = args.find(a => a.name === name)
      if (arg) {
        const r = mergeValue(text, code, arg, list, cuda && name === 'extra_compile_args', name === 'extra_compile_args' || !cuda ? assignments : new Map())
        edits.push(...r.edits)
        helper ||= r.helper
      } else {
        const value = cuda && name === 'extra_compile_args' ? `{"cxx": [${items(list)}], "nvcc": []}` : `[${items(list)}]`
        edits.push(addKeyword(text, code, open, close, args, `${name}=${value}`))
      }
    }
  }
  if (edits.length === 0) return null

  // Several calls may share one variable: edit each spot once.
  const unique = [...new Map(edits.map((e, i) => [`${e.at}:${e.remove}:${e.insert}`, { ...e, i }])).values()].sort((a, b) => b.at - a.at || b.i - a.i)
  let out = text
  for (const e of unique) out = out.slice(0, e.at) + e.insert + out.slice(e.at + e.remove)

  const outCode = blankPython(out)
  const missing = flags.imports.filter(mod => !new RegExp(`^import[ \\t]+(.*,[ \\t]*)?${mod}\\b`, 'm').test(outCode))
  const head = [...missing.map(mod => `import ${mod}`), ...flags.preamble, ...(helper ? helperSource() : [])]
  if (head.length) {
    const at = afterImports(outCode)
    out = out.slice(0, at) + head.join('\n') + '\n' + out.slice(at)
  }
  return out
}
