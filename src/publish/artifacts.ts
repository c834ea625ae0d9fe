import type { Log } from '../log.js'
import { validateUntrustedReport } from '../report/schema.js'
import type { Report } from '../report/types.js'
import { clip } from './escape.js'
import { legFile, legFromFile } from './leg.js'
import type { GitHubClient } from './github-client.js'
import { readZip, type ZipLimits } from './zip.js'

/**
 * Reports from the artifacts of another run (`mode: comment`). That run may
 * be a fork's: everything read here is untrusted. Sizes are bounded before
 * and while downloading, the zip reader refuses anything but plain files,
 * and every report must pass the schema. Nothing from an artifact is ever
 * run or written to disk.
 */

export interface ArtifactLimits extends ZipLimits {
  /** Most artifacts looked at. */
  maxArtifacts: number
  /** Largest zip downloaded. */
  maxZipBytes: number
  /** Most reports taken in all. */
  maxReports: number
  /** Largest report file parsed; ours are far smaller, and parsing is where memory goes. */
  maxReportBytes: number
}

export const DEFAULT_ARTIFACT_LIMITS: ArtifactLimits = {
  maxArtifacts: 50,
  maxZipBytes: 10 * 1024 * 1024,
  maxReports: 50,
  maxReportBytes: 1024 * 1024,
  maxEntries: 200,
  maxEntryBytes: 5 * 1024 * 1024,
  maxTotalBytes: 20 * 1024 * 1024
}

export interface FoundReport {
  artifact: string
  file: string
  report: Report
  /** The leg name check mode wrote beside the report (report.leg.json), if any. */
  leg: string | null
  /** When GitHub says the artifact was last written (ms since epoch), or null: the report's own createdAt is the uploader's word. */
  artifactAt: number | null
}

export interface Rejected {
  artifact: string
  file: string | null
  reason: string
}

const REPORT_SCHEMA = 'thread-scaling-check/report'

/** Reads a body stream, stopping as soon as it passes the limit. */
async function readBounded(data: unknown, limit: number): Promise<Buffer> {
  if (data instanceof ArrayBuffer) {
    if (data.byteLength > limit) throw new Error(`larger than ${limit} bytes`)
    return Buffer.from(data)
  }
  // A web ReadableStream (parseSuccessResponseBody: false); duck-typed, as undici's class may not be the global one.
  if (typeof data === 'object' && data !== null && typeof (data as ReadableStream).getReader === 'function') {
    const chunks: Buffer[] = []
    let size = 0
    const reader = (data as ReadableStream<Uint8Array>).getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value?.byteLength ?? 0
      if (size > limit) {
        await reader.cancel()
        throw new Error(`larger than ${limit} bytes`)
      }
      if (value) chunks.push(Buffer.from(value))
    }
    return Buffer.concat(chunks)
  }
  throw new Error('the download returned no data')
}

/** One artifact's zip, through the API's redirect to the storage URL. */
async function download(client: GitHubClient, owner: string, repo: string, id: number, limit: number): Promise<Buffer> {
  const res = await client.rest.actions.downloadArtifact({ owner, repo, artifact_id: id, archive_format: 'zip', request: { parseSuccessResponseBody: false } })
  return readBounded(res.data, limit)
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}

/** One of our reports, validated; null when the JSON is not a report at all (other JSON in the artifact). */
function asReport(value: unknown, source: string): Report | null {
  if (typeof value !== 'object' || value === null || (value as { schema?: unknown }).schema !== REPORT_SCHEMA) return null
  return validateUntrustedReport(value, source)
}

/** Our reports start with their schema; a large JSON file without it near the start is someone else's. */
const looksLikeReport = (data: Buffer): boolean => data.subarray(0, 4096).includes(REPORT_SCHEMA)
const LEG_FILE_BYTES = 4096

function timeOf(value: unknown): number | null {
  const t = typeof value === 'string' ? Date.parse(value) : NaN
  return Number.isFinite(t) ? t : null
}

/** Every report in the artifacts of run `runId`, and what was refused and why. */
export async function collectReports(client: GitHubClient, owner: string, repo: string, runId: number, limits: ArtifactLimits, log: Log): Promise<{ reports: FoundReport[]; rejected: Rejected[] }> {
  const artifacts = await client.paginate(client.rest.actions.listWorkflowRunArtifacts, { owner, repo, run_id: runId, per_page: 100 })
  const reports: FoundReport[] = []
  const rejected: Rejected[] = []
  for (const a of artifacts.slice(0, limits.maxArtifacts)) {
    const name = clip(a.name, 100)
    if (a.expired) {
      rejected.push({ artifact: name, file: null, reason: 'the artifact has expired' })
      continue
    }
    if (a.size_in_bytes > limits.maxZipBytes) {
      rejected.push({ artifact: name, file: null, reason: `${a.size_in_bytes} bytes, over the ${limits.maxZipBytes}-byte limit` })
      continue
    }
    let files
    try {
      files = readZip(await download(client, owner, repo, a.id, limits.maxZipBytes), n => n.toLowerCase().endsWith('.json'), limits)
    } catch (e) {
      rejected.push({ artifact: name, file: null, reason: clip((e as Error).message, 300) })
      continue
    }
    // Parsed one at a time, each only if small enough: a zip of large JSON files must not be held parsed all at once.
    const byName = new Map(files.map(f => [f.name, f]))
    const legOf = (reportName: string): string | null => {
      const f = byName.get(legFile(reportName))
      return f && f.data.length <= LEG_FILE_BYTES ? legFromFile(parseJson(f.data.toString('utf8'))) : null
    }
    const artifactAt = timeOf(a.updated_at) ?? timeOf(a.created_at)
    for (const f of files) {
      const file = clip(f.name, 200)
      if (f.data.length > limits.maxReportBytes) {
        if (looksLikeReport(f.data)) rejected.push({ artifact: name, file, reason: `${f.data.length} bytes, over the ${limits.maxReportBytes}-byte limit for one report` })
        else log.debug(`${name}/${file} is large and not a thread-scaling-check report; skipped`)
        continue
      }
      try {
        const report = asReport(parseJson(f.data.toString('utf8')), `${name}/${file}`)
        if (!report) log.debug(`${name}/${file} is not a thread-scaling-check report; skipped`)
        else if (reports.length >= limits.maxReports) rejected.push({ artifact: name, file, reason: `more than ${limits.maxReports} reports` })
        else reports.push({ artifact: name, file, report, leg: legOf(f.name), artifactAt })
      } catch (e) {
        rejected.push({ artifact: name, file, reason: clip((e as Error).message, 300) })
      }
    }
  }
  if (artifacts.length > limits.maxArtifacts) rejected.push({ artifact: `${artifacts.length - limits.maxArtifacts} more`, file: null, reason: `more than ${limits.maxArtifacts} artifacts` })
  return { reports, rejected }
}
