/**
 * A local stand-in for GitHub's cache service v2, enough for @actions/cache
 * 6 to restore and save through its real code path: the twirp JSON API
 * (CreateCacheEntry, FinalizeCacheEntryUpload, GetCacheEntryDownloadURL)
 * and blob URLs that take the Azure SDK's single-shot PUT and a plain GET.
 * Point the client at it with ACTIONS_CACHE_SERVICE_V2=1,
 * ACTIONS_RESULTS_URL=<url>/ and any ACTIONS_RUNTIME_TOKEN.
 */
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'

interface Entry {
  key: string
  version: string
  blob: Buffer | null
  finalized: boolean
  createdAt: number
}

export interface CacheServer {
  url: string
  entries: Entry[]
  /** Twirp methods called, in order. */
  calls: string[]
  close(): Promise<void>
}

const SERVICE = '/twirp/github.actions.results.api.v1.CacheService/'

function body(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

export async function startCacheServer(): Promise<CacheServer> {
  const entries: Entry[] = []
  const calls: string[] = []
  let base = ''
  const blobUrl = (i: number): string => `${base}/devstoreaccount1/cache/entry-${i}?sig=local`
  const json = (res: http.ServerResponse, status: number, data: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(data))
  }

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', base)
      const data = await body(req)
      if (req.method === 'POST' && url.pathname.startsWith(SERVICE)) {
        const method = url.pathname.slice(SERVICE.length)
        calls.push(method)
        const msg = JSON.parse(data.toString('utf8') || '{}') as { key?: string; version?: string; restoreKeys?: string[]; restore_keys?: string[]; sizeBytes?: string }
        if (method === 'CreateCacheEntry') {
          if (entries.some(e => e.key === msg.key && e.version === msg.version)) return json(res, 200, { ok: false, signedUploadUrl: '', message: 'cache entry already exists' })
          entries.push({ key: msg.key ?? '', version: msg.version ?? '', blob: null, finalized: false, createdAt: Date.now() })
          return json(res, 200, { ok: true, signedUploadUrl: blobUrl(entries.length - 1) })
        }
        if (method === 'FinalizeCacheEntryUpload') {
          const i = entries.findIndex(e => e.key === msg.key && e.version === msg.version && !e.finalized)
          if (i < 0 || entries[i].blob === null) return json(res, 200, { ok: false, entryId: '0' })
          entries[i].finalized = true
          return json(res, 200, { ok: true, entryId: String(i + 1) })
        }
        if (method === 'GetCacheEntryDownloadURL') {
          const ready = entries.map((e, i) => ({ e, i })).filter(x => x.e.finalized && x.e.version === msg.version).sort((a, b) => b.e.createdAt - a.e.createdAt)
          const exact = ready.find(x => x.e.key === msg.key)
          const prefix = (msg.restoreKeys ?? msg.restore_keys ?? []).map(p => ready.find(x => x.e.key.startsWith(p))).find(x => x !== undefined)
          const hit = exact ?? prefix
          return json(res, 200, hit ? { ok: true, signedDownloadUrl: blobUrl(hit.i), matchedKey: hit.e.key } : { ok: false, signedDownloadUrl: '', matchedKey: '' })
        }
        return json(res, 404, { code: 'bad_route', msg: `no method ${method}` })
      }
      const m = /\/entry-(\d+)$/.exec(url.pathname)
      const entry = m ? entries[Number(m[1])] : undefined
      if (entry && req.method === 'PUT') {
        entry.blob = data
        res.writeHead(201, { etag: '"0x1"', 'last-modified': new Date().toUTCString(), 'x-ms-request-id': 'local', 'x-ms-version': '2024-11-04', 'content-md5': '' })
        return res.end()
      }
      if (entry?.blob && (req.method === 'GET' || req.method === 'HEAD')) {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(entry.blob.length) })
        return res.end(req.method === 'GET' ? entry.blob : undefined)
      }
      res.writeHead(404)
      res.end()
    })().catch(e => {
      res.writeHead(500)
      res.end(String(e))
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { url: base, entries, calls, close: () => new Promise(resolve => server.close(() => resolve())) }
}
