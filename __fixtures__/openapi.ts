/**
 * GitHub's published REST description (@octokit/openapi, api.github.com),
 * for the fake GitHub server: which method + path exists, whether a request's
 * path, query and JSON body match the operation, and response bodies in the
 * operation's documented shape (filled in from the schema, then validated).
 */
import { Ajv, type ValidateFunction } from 'ajv'
import * as fs from 'node:fs'
import * as path from 'node:path'

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json }
type Obj = Record<string, unknown>

const SPEC_FILE = path.resolve('node_modules/@octokit/openapi/generated/api.github.com.json')

export interface Operation {
  method: string
  /** The path template, e.g. /repos/{owner}/{repo}/issues/{issue_number}/comments. */
  template: string
  operationId: string
  /** Path parameters, decoded. */
  params: Record<string, string>
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * OpenAPI 3.0 writes `nullable: true`; Ajv accepts that only next to `type`.
 * Where GitHub puts it beside allOf/anyOf, it becomes anyOf [..., null].
 * Beside an enum it admits null too, as GitHub's answers do (an open
 * issue's state_reason is null though its enum lists only strings).
 */
function fixNullable(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(fixNullable)
  if (!isObj(node)) return
  if (node.nullable === true && Array.isArray(node.enum) && !node.enum.includes(null)) node.enum = [...node.enum, null]
  if (node.nullable === true && node.type === undefined) {
    const copy: Obj = { ...node }
    delete copy.nullable
    for (const k of Object.keys(node)) delete node[k]
    node.anyOf = [copy, { type: 'null' }]
    fixNullable(copy)
    return
  }
  for (const v of Object.values(node)) fixNullable(v)
}

/** A JSON pointer into the description, as an Ajv $ref. */
const ref = (...tokens: (string | number)[]): string => 'gh#/' + tokens.map(t => encodeURIComponent(String(t).replace(/~/g, '~0').replace(/\//g, '~1'))).join('/')

export class OpenApi {
  private readonly spec: { paths: Record<string, Obj>; components: Obj }
  private readonly ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true })
  private readonly compiled = new Map<string, ValidateFunction>()
  private readonly routes: { template: string; re: RegExp; names: string[]; literals: number }[]

  constructor() {
    this.spec = JSON.parse(fs.readFileSync(SPEC_FILE, 'utf8')) as { paths: Record<string, Obj>; components: Obj }
    fixNullable(this.spec)
    this.ajv.addSchema({ paths: this.spec.paths, components: this.spec.components }, 'gh')
    this.routes = Object.keys(this.spec.paths)
      .map(template => {
        const names: string[] = []
        const re = new RegExp('^' + template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_, n: string) => (names.push(n), '([^/]+)')) + '$')
        return { template, re, names, literals: template.split('/').filter(s => s && !s.startsWith('{')).length }
      })
      .sort((a, b) => b.literals - a.literals)
  }

  private validator(pointer: string): ValidateFunction {
    let v = this.compiled.get(pointer)
    if (!v) {
      v = this.ajv.compile({ $ref: pointer })
      this.compiled.set(pointer, v)
    }
    return v
  }

  private resolve(node: unknown): Obj {
    let n = node
    for (let i = 0; isObj(n) && typeof n.$ref === 'string' && i < 10; i++) {
      n = (n.$ref as string)
        .slice(2)
        .split('/')
        .reduce<unknown>((o, k) => (isObj(o) ? o[k.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), this.spec)
    }
    if (!isObj(n)) throw new Error(`unresolvable node ${JSON.stringify(node)}`)
    return n
  }

  /** The operation for method + path, or a reason there is none. */
  match(method: string, pathname: string): Operation | string {
    const m = method.toLowerCase()
    const candidates = this.routes.filter(r => r.re.test(pathname))
    if (candidates.length === 0) return `no path in GitHub's description matches ${pathname}`
    for (const r of candidates) {
      const op = this.spec.paths[r.template][m]
      if (!isObj(op)) continue
      const values = r.re.exec(pathname)!.slice(1).map(decodeURIComponent)
      return { method: m, template: r.template, operationId: String(op.operationId), params: Object.fromEntries(r.names.map((n, i) => [n, values[i]])) }
    }
    return `${method} is not an operation of ${candidates.map(c => c.template).join(' or ')}`
  }

  private parameters(op: Operation): { name: string; in: string; required: boolean; pointer: string; schema: Obj }[] {
    const item = this.spec.paths[op.template]
    const lists: [unknown, (string | number)[]][] = [
      [item.parameters, ['paths', op.template, 'parameters']],
      [(item[op.method] as Obj).parameters, ['paths', op.template, op.method, 'parameters']]
    ]
    const out: { name: string; in: string; required: boolean; pointer: string; schema: Obj }[] = []
    for (const [list, at] of lists) {
      if (!Array.isArray(list)) continue
      list.forEach((p: unknown, i) => {
        const isRef = isObj(p) && typeof p.$ref === 'string'
        const param = this.resolve(p)
        const base = isRef ? ((p as Obj).$ref as string).slice(2).split('/') : [...at, i]
        out.push({ name: String(param.name), in: String(param.in), required: param.required === true, pointer: ref(...base, 'schema'), schema: this.resolve(param.schema) })
      })
    }
    return out
  }

  private checkValue(pointer: string, schema: Obj, raw: string, label: string): string[] {
    const type = schema.type
    const value = type === 'integer' || type === 'number' ? (/^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw) : type === 'boolean' ? (raw === 'true' ? true : raw === 'false' ? false : raw) : raw
    const v = this.validator(pointer)
    return v(value) ? [] : [`${label}=${JSON.stringify(raw)}: ${this.ajv.errorsText(v.errors)}`]
  }

  /** Problems with a request's path parameters, query and body; empty when it matches the description. */
  checkRequest(op: Operation, query: URLSearchParams, body: unknown, hasBody: boolean): string[] {
    const problems: string[] = []
    const params = this.parameters(op)
    for (const p of params.filter(x => x.in === 'path')) problems.push(...this.checkValue(p.pointer, p.schema, op.params[p.name] ?? '', `path parameter ${p.name}`))
    const known = params.filter(x => x.in === 'query')
    for (const name of new Set(query.keys())) {
      const p = known.find(k => k.name === name)
      if (!p) problems.push(`query parameter '${name}' is not defined for ${op.operationId}`)
      else for (const v of query.getAll(name)) problems.push(...this.checkValue(p.pointer, p.schema, v, `query parameter ${name}`))
    }
    for (const p of known.filter(k => k.required && !query.has(k.name))) problems.push(`required query parameter '${p.name}' is missing`)
    const requestBody = (this.spec.paths[op.template][op.method] as Obj).requestBody
    if (!requestBody) {
      if (hasBody) problems.push(`${op.operationId} takes no request body`)
      return problems
    }
    const rb = this.resolve(requestBody)
    if (!hasBody) {
      if (rb.required === true) problems.push(`${op.operationId} requires a JSON body`)
      return problems
    }
    const v = this.validator(ref('paths', op.template, op.method, 'requestBody', 'content', 'application/json', 'schema'))
    if (!v(body)) problems.push(`body of ${op.operationId}: ${this.ajv.errorsText(v.errors)}`)
    return problems
  }

  /** The statuses the description documents for the operation. */
  statuses(op: Operation): string[] {
    return Object.keys((this.spec.paths[op.template][op.method] as Obj).responses as Obj)
  }

  /**
   * A response body of the documented shape: `partial` plus every required
   * field the schema demands (filled with plain defaults), checked against
   * the schema. Throws when the fake server would answer off-description.
   */
  response(op: Operation, status: number, partial: Json): Json {
    const responses = (this.spec.paths[op.template][op.method] as Obj).responses as Obj
    if (!(String(status) in responses)) throw new Error(`${op.operationId} does not document status ${status}`)
    const content = this.resolve(responses[String(status)]).content
    if (!isObj(content) || !isObj(content['application/json'])) return partial
    const schema = (content['application/json'] as Obj).schema
    const body = this.fill(schema, partial)
    const v = this.validator(ref('paths', op.template, op.method, 'responses', String(status), 'content', 'application/json', 'schema'))
    if (!v(body)) throw new Error(`fake response for ${op.operationId} ${status} is off-description: ${this.ajv.errorsText(v.errors)}`)
    return body
  }

  private fill(node: unknown, value: Json | undefined, depth = 0): Json {
    if (depth > 40) return value ?? null
    const s = this.resolve(node)
    if (Array.isArray(s.allOf)) {
      let out: Json | undefined = value
      for (const part of s.allOf) out = this.fill(part, out, depth + 1)
      return out ?? null
    }
    const options = (s.anyOf ?? s.oneOf) as unknown[] | undefined
    if (Array.isArray(options)) {
      const resolved = options.map(o => this.resolve(o))
      if (value === undefined || value === null) {
        const nullable = resolved.findIndex(o => o.type === 'null')
        if (nullable >= 0) return null
        return this.fill(options[0], value, depth + 1)
      }
      const kind = Array.isArray(value) ? 'array' : typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value === 'object' ? 'object' : typeof value
      const i = resolved.findIndex(o => o.type === kind || (kind === 'integer' && o.type === 'number') || (o.type === undefined && kind === 'object'))
      return this.fill(options[Math.max(0, i)], value, depth + 1)
    }
    if (value === null) return null
    const type = Array.isArray(s.type) ? (s.type.find(t => t !== 'null') as string) : (s.type as string | undefined)
    if (type === 'object' || (type === undefined && isObj(s.properties))) {
      const props = (s.properties ?? {}) as Obj
      const out: { [k: string]: Json } = { ...((isObj(value) ? value : {}) as { [k: string]: Json }) }
      for (const k of (s.required ?? []) as string[]) if (!(k in out)) out[k] = this.fill(props[k] ?? {}, undefined, depth + 1)
      for (const k of Object.keys(out)) if (props[k] !== undefined && out[k] !== undefined) out[k] = this.fill(props[k], out[k], depth + 1)
      return out
    }
    if (type === 'array') return (Array.isArray(value) ? value : []).map(v => this.fill(s.items ?? {}, v, depth + 1))
    if (value !== undefined) return value
    if (Array.isArray(s.type) && s.type.includes('null')) return null
    if (Array.isArray(s.enum)) return s.enum[0] as Json
    if (type === 'string') return s.format === 'date-time' ? '2026-01-01T00:00:00Z' : s.format === 'uri' ? 'https://example.invalid/' : s.format === 'email' ? 'nobody@example.invalid' : ''
    if (type === 'integer' || type === 'number') return typeof s.minimum === 'number' ? s.minimum : 0
    if (type === 'boolean') return false
    return null
  }
}

let shared: OpenApi | null = null

/** The description is 13 MB; load it once per test file. */
export function openApi(): OpenApi {
  return (shared ??= new OpenApi())
}
