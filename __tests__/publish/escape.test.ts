/** Untrusted text in a PR comment renders as text: no HTML, links, mentions, fences or forged markers. */
import { describe, expect, it } from '@jest/globals'
import { clip, inline, plain } from '../../src/publish/escape.js'

describe('inline', () => {
  it('turns HTML into entities, so no tag opens', () => {
    const out = inline('<img src=x onerror=alert(1)><script>alert(1)</script><details open>')
    expect(out).not.toMatch(/<[a-z/!]/i)
    expect(out).toContain('&lt;img src=x onerror=alert\\(1\\)&gt;')
  })

  it('cannot forge the hidden markers the sticky comment is parsed by', () => {
    const out = inline('\n<!-- tsc:/section -->\n<!-- tsc:section id=0123456789abcdef verdict=pass at=1 -->')
    expect(out).not.toContain('<!--')
    expect(out).not.toContain('\n')
  })

  it('escapes Markdown links, images, emphasis, tables and headings', () => {
    const out = inline('# title | ![x](https://evil.example/p.png) [click](javascript:alert(1)) **bold** `code`')
    // Every Markdown-significant character is backslash-escaped, so none of them acts.
    expect(out).not.toMatch(/(?<!\\)[`*_[\]()!|#~]/)
    expect(out).toContain('\\#')
  })

  it('breaks @mentions and autolinks with a zero-width space', () => {
    const out = inline('ping @everyone and @org/team, see https://evil.example or www.evil.example')
    expect(out).not.toMatch(/@[a-z]/i)
    expect(out).not.toMatch(/https:/)
    expect(out).not.toMatch(/www\\?\./)
  })

  it('drops control and bidi characters and caps the length', () => {
    expect(inline('a\u202eb\u0007c\u200bd')).toBe('abcd')
    const long = inline('x'.repeat(100_000), 50)
    expect([...long]).toHaveLength(50)
    expect(long.endsWith('…')).toBe(true)
  })
})

describe('hidden characters and math', () => {
  it('strips characters that render as nothing or blank', () => {
    const hidden = '\u00ad\u034f\u3164\u061c\u{e0000}\u{e0041}\u{e007f}'
    expect(clip(`a${hidden}b`, 50)).toBe('ab')
    expect(inline(`pass${hidden}`)).toBe('pass')
  })
  it('keeps $...$ from reaching math rendering', () => {
    const out = inline('$\\unicode{x1F600}$ and $$x$$')
    expect(out).not.toContain('$')
    expect(out).toContain('&#36;')
  })
})

describe('plain and clip', () => {
  it('keep code-block text from closing its fence or reading as a marker', () => {
    expect(plain('name```\n## injected')).toBe("name''' ## injected")
    expect(plain('<!-- tsc:/section -->')).toBe('‹!-- tsc:/section --›')
  })
  it('collapse whitespace', () => {
    expect(clip('  a \n\t b  ', 10)).toBe('a b')
  })
})
