/**
 * Adds OpenMP flags to every CppExtension / CUDAExtension / Extension call
 * of a setup.py, merging with the arguments already there. Pure: text in,
 * patched text out.
 */
import { blankPython, matchBracket, splitArgs, type Arg } from './python-scan.js'

/** Flags as Python expressions (string literals, or expressions for torch's paths), plus what they need. */
export interface PythonFlags {
  compile: string[]
  /** What nvcc needs to hand OpenMP to its host compiler ("-Xcompiler", "-fopenmp"); empty where CUDAExtension gets no nvcc flags. */
  nvcc?: string[]
  link: string[]
  /** Modules the expressions use (`import os`), added when missing. */
  imports: string[]
  /** Lines defining names the expressions use, added after the imports. */
  preamble: string[]
}

const CALL = /\b(CppExtension|CUDAExtension|SyclExtension|Extension)\s*\(/g
const HELPER = '_with_openmp'
const CUDA_HELPER = '_with_cuda_openmp'

/** Which compilers of a CUDAExtension need the flags: the C++ compiler ('cxx'), nvcc's host compiler ('nvcc'), or both. */
export interface PatchParts {
  cxx: boolean
  nvcc: boolean
}
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

/** A value's literal: itself, or the list/dict a top-level name was assigned once; null when it is another expression. */
function literalOf(code: string, start: number, end: number, assignments: Map<string, { open: number; close: number }>): { open: number; close: number } | null {
  const value = code.slice(start, end)
  if (/^[[{]/.test(value) && matchBracket(code, start) === end - 1) return { open: start, close: end - 1 }
  const named = /^[A-Za-z_]\w*$/.test(value) ? assignments.get(value) : undefined
  return named && /[[{]/.test(code[named.open]) ? named : null
}

/**
 * Edits that merge OpenMP into a CUDAExtension's extra_compile_args: `cxx`
 * flags for the C++ compiler and `nvcc` flags (-Xcompiler -fopenmp) for the
 * host code of .cu files, each only where `parts` asks. A list (given to both
 * compilers) becomes a dict, since nvcc rejects a bare -fopenmp.
 */
function mergeCuda(text: string, code: string, arg: Arg, flags: PythonFlags, parts: PatchParts, assignments: Map<string, { open: number; close: number }>): { edits: Edit[]; helper: boolean } {
  const cxx = parts.cxx ? flags.compile : []
  const nvcc = parts.nvcc ? (flags.nvcc ?? []) : []
  const lit = literalOf(code, arg.start, arg.end, assignments)
  if (lit && code[lit.open] === '[') {
    const list = text.slice(lit.open, lit.close + 1)
    const inner = list.slice(1, -1).trim()
    const withFlags = (f: string[]): string => (f.length ? `[${inner}${inner ? ', ' : ''}${items(f)}]` : list)
    return { edits: [{ at: lit.open, remove: lit.close + 1 - lit.open, insert: `{"cxx": ${withFlags(cxx)}, "nvcc": ${withFlags(nvcc)}}` }], helper: false }
  }
  if (lit) {
    const edits: Edit[] = []
    let helper = false
    const entries = splitArgs(code, lit.open, lit.close)
    const missing: string[] = []
    for (const [key, f] of [['cxx', cxx], ['nvcc', nvcc]] as const) {
      if (f.length === 0) continue
      const e = entries.find(x => new RegExp(`^(['"])${key}\\1\\s*:`).test(text.slice(x.start, x.end)))
      if (!e) {
        missing.push(`"${key}": [${items(f)}]`)
        continue
      }
      const valueAt = e.start + (/^(['"])\w+\1\s*:\s*/.exec(text.slice(e.start, e.end))?.[0].length ?? 0)
      const target = literalOf(code, valueAt, e.end, assignments)
      if (target && code[target.open] === '[') edits.push(appendToList(code, target.open, target.close, f))
      else {
        edits.push({ at: valueAt, remove: e.end - valueAt, insert: `${HELPER}(${text.slice(valueAt, e.end)}, [${items(f)}])` })
        helper = true
      }
    }
    if (missing.length) edits.push(appendToList(code, lit.open, lit.close, missing))
    return { edits, helper }
  }
  return { edits: [{ at: arg.start, remove: arg.end - arg.start, insert: `${CUDA_HELPER}(${text.slice(arg.start, arg.end)}, [${items(cxx)}], [${items(nvcc)}])` }], helper: true }
}

/** The text of a CUDAExtension's compile arguments meant for one compiler: the dict entry (followed through a name), or the whole value. */
function cudaPartText(text: string, code: string, arg: Arg | undefined, key: 'cxx' | 'nvcc', assignments: Map<string, { open: number; close: number }>): string {
  if (!arg) return ''
  const lit = literalOf(code, arg.start, arg.end, assignments)
  if (!lit) return text.slice(arg.start, arg.end)
  if (code[lit.open] === '[') return text.slice(lit.open, lit.close + 1)
  const e = splitArgs(code, lit.open, lit.close).find(x => new RegExp(`^(['"])${key}\\1\\s*:`).test(text.slice(x.start, x.end)))
  if (!e) return ''
  const entry = text.slice(e.start, e.end)
  const valueAt = e.start + (/^(['"])\w+\1\s*:\s*/.exec(entry)?.[0].length ?? 0)
  const target = literalOf(code, valueAt, e.end, assignments)
  return target ? text.slice(target.open, target.close + 1) : text.slice(valueAt, e.end)
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

function cudaHelperSource(): string[] {
  return [
    '',
    `def ${CUDA_HELPER}(args, cxx, nvcc):`,
    '    # Added by thread-scaling-check: OpenMP for the C++ compiler ("cxx") and for host code in .cu files',
    '    # ("nvcc" passes -fopenmp on with -Xcompiler). A list goes to both compilers, so it is split.',
    '    if not isinstance(args, dict):',
    '        args = {"cxx": list(args), "nvcc": list(args)}',
    '    return {**args, "cxx": list(args.get("cxx", [])) + cxx, "nvcc": list(args.get("nvcc", [])) + nvcc}',
    ''
  ]
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
export function patchSetupPyText(text: string, flags: PythonFlags, parts: PatchParts = { cxx: true, nvcc: true }): string | null {
  const code = blankPython(text)
  const assignments = literalAssignments(code)
  const edits: Edit[] = []
  let helper = false
  let cudaHelper = false
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
    if (/^(class|def)\b/.test(text.slice(text.lastIndexOf('\n', m.index ?? 0) + 1).trimStart())) continue
    const cuda = m[1] === 'CUDAExtension'
    if (cuda && (flags.nvcc ?? []).length > 0) {
      // Each compiler on its own: C++ files may have -fopenmp while .cu host code lacks it.
      const compileArg = args.find(a => a.name === 'extra_compile_args')
      const need: PatchParts = {
        cxx: parts.cxx && !ALREADY.test(cudaPartText(text, code, compileArg, 'cxx', assignments)),
        nvcc: parts.nvcc && !ALREADY.test(cudaPartText(text, code, compileArg, 'nvcc', assignments))
      }
      if (!need.cxx && !need.nvcc) continue
      if (compileArg) {
        const r = mergeCuda(text, code, compileArg, flags, need, assignments)
        edits.push(...r.edits)
        helper ||= r.helper && r.edits.some(e => e.insert.startsWith(HELPER))
        cudaHelper ||= r.edits.some(e => e.insert.startsWith(CUDA_HELPER))
      } else {
        edits.push(addKeyword(text, code, open, close, args, `extra_compile_args={"cxx": [${items(need.cxx ? flags.compile : [])}], "nvcc": [${items(need.nvcc ? (flags.nvcc ?? []) : [])}]}`))
      }
      const linkArg = args.find(a => a.name === 'extra_link_args')
      if (flags.link.length && !ALREADY.test(argText('extra_link_args') ?? '')) {
        if (linkArg) {
          const r = mergeValue(text, code, linkArg, flags.link, false, new Map([...assignments].filter(([, v]) => code[v.open] === '[')))
          edits.push(...r.edits)
          helper ||= r.helper
        } else edits.push(addKeyword(text, code, open, close, args, `extra_link_args=[${items(flags.link)}]`))
      }
      continue
    }
    if (ALREADY.test(argText('extra_compile_args') ?? '')) continue
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
  const head = [...missing.map(mod => `import ${mod}`), ...flags.preamble, ...(helper ? helperSource() : []), ...(cudaHelper ? cudaHelperSource() : [])]
  if (head.length) {
    const at = afterImports(outCode)
    out = out.slice(0, at) + head.join('\n') + '\n' + out.slice(at)
  }
  return out
}
