import * as fs from 'node:fs'
import * as path from 'node:path'
import { walkFiles } from './walk.js'

/**
 * Glob pattern to RegExp over '/'-separated relative paths: `**` spans
 * folders, `*` and `?` stay within one, `{a,b}` and `[...]` as in the shell.
 */
export function globToRegExp(pattern: string): RegExp {
  // Unbalanced braces are taken literally rather than making a broken RegExp.
  const opens = (pattern.match(/\{/g) ?? []).length
  const closes = (pattern.match(/\}/g) ?? []).length
  if (opens !== closes) pattern = pattern.replace(/[{}]/g, c => `[${c}]`)
  let re = ''
  let depth = 0
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (c === '*' && pattern[i + 1] === '*') {
      const slash = pattern[i + 2] === '/'
      re += slash ? '(?:.*/)?' : '.*'
      i += slash ? 2 : 1
    } else if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else if (c === '{') {
      re += '(?:'
      depth++
    } else if (c === '}' && depth > 0) {
      re += ')'
      depth--
    } else if (c === ',' && depth > 0) re += '|'
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1)
      if (end < 0) re += '\\['
      else {
        re += '[' + pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']'
        i = end
      }
    } else re += c.replace(/[.+^$()|\\/]/g, m => `\\${m}`)
  }
  return new RegExp(`^${re}$`)
}

/** Folders never worth descending into. */
const SKIP_DIRS = new Set(['.git', 'node_modules', '.thread-scaling-check', '__pycache__'])
const MAX_FILES = 200_000

/**
 * Files under `root` whose relative path matches any pattern and none of the
 * `!`-prefixed ones. Symbolic links are not followed, so a link loop can't hang it.
 */
export function globFiles(root: string, patterns: readonly string[]): string[] {
  // Absolute patterns (a binary installed elsewhere) walk from their own fixed prefix.
  const absolute = patterns.filter(p => path.isAbsolute(p))
  const fromAbsolute = absolute.flatMap(p => {
    const parts = p.split(/[\\/]/)
    const fixed = parts.findIndex(x => /[*?[{]/.test(x))
    if (fixed < 0) return fs.statSync(p, { throwIfNoEntry: false })?.isFile() ? [p] : []
    return globFiles(parts.slice(0, fixed).join('/') || '/', [parts.slice(fixed).join('/')])
  })
  patterns = patterns.filter(p => !path.isAbsolute(p))
  if (!patterns.some(p => !p.startsWith('!'))) return [...new Set(fromAbsolute)].sort()
  const include = patterns.filter(p => !p.startsWith('!')).map(p => globToRegExp(normalise(p)))
  const exclude = patterns.filter(p => p.startsWith('!')).map(p => globToRegExp(normalise(p.slice(1))))
  const out: string[] = []
  walkFiles(
    root,
    name => !SKIP_DIRS.has(name) && !name.endsWith('.egg-info'),
    (full, r) => {
      if (include.some(x => x.test(r)) && !exclude.some(x => x.test(r))) out.push(full)
      return out.length < MAX_FILES
    }
  )
  return [...new Set([...out, ...fromAbsolute])].sort()
}

/** Patterns are relative to root; accept './x' and Windows separators too. */
function normalise(p: string): string {
  return p.replace(/\\/g, '/').replace(/^\.\//, '')
}
