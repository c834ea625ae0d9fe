/**
 * Every string that reaches a PR comment or issue passes through here. In
 * `mode: comment` the strings come from a fork's artifact, so they are
 * attacker-controlled: they must not open HTML, links, images or code
 * fences, must not @-mention anyone, and must not forge the hidden markers
 * the sticky comment is parsed by. Check-mode strings go through the same
 * path, so there is one rule to audit.
 */

/**
 * C0/C1 controls, the bidi overrides used to make text read differently than
 * it parses, and characters that render as nothing or blank (soft hyphen,
 * combining grapheme joiner, Arabic letter mark, Hangul filler, the tag block).
 */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufeff\uffa0\u{e0000}-\u{e007f}]/gu

/** `$` as an entity: GitHub renders `$...$` as math, and an entity is not a delimiter. */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', $: '&#36;' }
const MARKDOWN = new Set('\\`*_{}[]()#+-!|~:'.split(''))
/** Zero-width space: breaks @mentions and autolinks without changing what a reader sees. */
const ZWSP = '\u200b'

/** Collapses whitespace, drops invisible characters and caps the length (with an ellipsis). */
export function clip(text: unknown, max: number): string {
  const s = String(text ?? '')
    .replace(/\s+/g, ' ')
    .replace(INVISIBLE, '')
    .trim()
  const chars = [...s]
  return chars.length > max ? chars.slice(0, Math.max(0, max - 1)).join('') + '…' : s
}

/**
 * Inline Markdown text that renders exactly as written: HTML-significant
 * characters become entities, Markdown punctuation is backslash-escaped,
 * and @ and :// get a zero-width space so no mention or autolink fires.
 */
export function inline(text: unknown, max = 200): string {
  let out = ''
  for (const c of clip(text, max)) {
    if (ENTITIES[c]) out += ENTITIES[c]
    else if (MARKDOWN.has(c)) out += `\\${c}`
    else if (c === '@') out += `@${ZWSP}`
    else out += c
  }
  return out.replace(/(https?|ftp|www)/gi, `$1${ZWSP}`)
}

/**
 * Text for inside a fenced code block, where nothing renders but the fence
 * can be closed and our markers matched: no backticks, and angle brackets
 * become look-alikes, so no line can read as a hidden marker.
 */
export function plain(text: unknown, max = 60): string {
  return clip(text, max).replace(/`/g, "'").replace(/</g, '‹').replace(/>/g, '›')
}
