/**
 * Adds find_package(OpenMP) and OpenMP::OpenMP_CXX to the extension target
 * of a CMakeLists.txt. Pure: text in, patched text out.
 */

/** Commands that create the extension target, most specific first. */
const TARGET = /^[ \t]*(pybind11_add_module|nanobind_add_module|Python3?_add_library|python_add_library|add_library|add_executable)[ \t]*\([ \t\n]*([A-Za-z0-9_.+-]+)/gim

/** Offset just past the ')' closing the command whose '(' is at or after `from`. */
function commandEnd(text: string, from: number): number {
  let depth = 0
  for (let i = text.indexOf('(', from); i >= 0 && i < text.length; i++) {
    if (text[i] === '(') depth++
    else if (text[i] === ')' && --depth === 0) return i + 1
    else if (text[i] === '"') i = text.indexOf('"', i + 1)
  }
  return text.length
}

const lineEnd = (text: string, at: number): number => {
  const nl = text.indexOf('\n', at)
  return nl < 0 ? text.length : nl + 1
}

export interface CMakeHints {
  /** Lines that prepare find_package(OpenMP) for this platform (Apple clang needs them), inserted before it. */
  before: string[]
  /** Extra lines after the link line (rpath for torch's libomp). `<target>` is replaced by the target's name. */
  after: string[]
}

/** Returns the patched text, or null when there is no target or it already links OpenMP. */
export function patchCMakeText(text: string, hints: CMakeHints): string | null {
  const code = text.replace(/#.*$/gm, m => ' '.repeat(m.length))
  const targets = [...code.matchAll(TARGET)]
  const pick = targets.find(t => !/^add_executable$/i.test(t[1])) ?? targets[0]
  if (!pick) return null
  const target = pick[2]
  if (/OpenMP::OpenMP_(CXX|C)\b/.test(code)) return null

  // CMake rejects mixing the plain and keyword signatures of target_link_libraries on one target.
  const esc = target.replace(/[.+]/g, c => `\\${c}`)
  const linkCalls = [...code.matchAll(new RegExp(`^[ \\t]*target_link_libraries[ \\t]*\\([ \\t\\n]*${esc}\\b([^)]*)\\)`, 'gim'))]
  const plain = linkCalls.some(c => !/\b(PRIVATE|PUBLIC|INTERFACE|LINK_PRIVATE|LINK_PUBLIC)\b/.test(c[1]))
  const anchor = linkCalls.length ? linkCalls[linkCalls.length - 1] : pick
  const linkAt = lineEnd(text, commandEnd(code, anchor.index ?? 0) - 1)
  const indent = /^[ \t]*/.exec(anchor[0])?.[0] ?? ''
  const linkLines = [`${indent}target_link_libraries(${target} ${plain ? '' : 'PRIVATE '}OpenMP::OpenMP_CXX)`, ...hints.after.map(l => indent + l.replace(/<target>/g, target))]

  const edits: { at: number; lines: string[] }[] = [{ at: linkAt, lines: linkLines }]
  if (!/^[ \t]*find_package[ \t]*\([ \t]*OpenMP\b/im.test(code)) {
    const torch = [...code.matchAll(/^[ \t]*find_package[ \t]*\([ \t]*Torch\b/gim)].pop()
    const project = [...code.matchAll(/^[ \t]*(project|cmake_minimum_required)[ \t]*\(/gim)].pop()
    const after = torch ?? project
    const at = after ? lineEnd(text, commandEnd(code, after.index ?? 0) - 1) : 0
    // Before the target, so OpenMP::OpenMP_CXX exists when it is linked.
    edits.push({ at: Math.min(at, pick.index ?? at), lines: [...hints.before, 'find_package(OpenMP REQUIRED)'] })
  }
  let out = text.endsWith('\n') || text === '' ? text : text + '\n'
  for (const e of edits.sort((a, b) => b.at - a.at)) out = out.slice(0, e.at) + e.lines.join('\n') + '\n' + out.slice(e.at)
  return out
}
