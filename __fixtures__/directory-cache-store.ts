/**
 * A CacheStore on a folder, for tests: one sub-folder per key holding copies
 * of the paths, with the Actions cache's semantics (entries are immutable; a
 * restore tries the key, then each restore key as a prefix, newest first).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { CacheStore } from '../src/build/cache-store.js'

interface Meta {
  key: string
  paths: string[]
  savedAt: number
}

const safe = (key: string): string => key.replace(/[^A-Za-z0-9._-]/g, '_')

/** A folder of entries, one sub-folder per key holding copies of the paths. */
export class DirectoryCacheStore implements CacheStore {
  constructor(readonly root: string) {}

  available(): boolean {
    return true
  }

  private entries(): Meta[] {
    if (!fs.existsSync(this.root)) return []
    return fs
      .readdirSync(this.root)
      .map(d => path.join(this.root, d, 'meta.json'))
      .filter(f => fs.existsSync(f))
      .map(f => JSON.parse(fs.readFileSync(f, 'utf8')) as Meta)
  }

  async restore(paths: string[], key: string, restoreKeys: string[]): Promise<string | undefined> {
    const all = this.entries().sort((a, b) => b.savedAt - a.savedAt)
    const hit = all.find(e => e.key === key) ?? restoreKeys.map(p => all.find(e => e.key.startsWith(p))).find(e => e !== undefined)
    if (!hit) return undefined
    const dir = path.join(this.root, safe(hit.key))
    paths.forEach((p, i) => {
      const stored = path.join(dir, String(i))
      if (!fs.existsSync(stored)) return
      fs.rmSync(p, { recursive: true, force: true })
      fs.mkdirSync(path.dirname(p), { recursive: true })
      fs.cpSync(stored, p, { recursive: true })
    })
    return hit.key
  }

  async save(paths: string[], key: string): Promise<boolean> {
    const dir = path.join(this.root, safe(key))
    if (fs.existsSync(path.join(dir, 'meta.json'))) return true
    const tmp = `${dir}.tmp-${process.pid}`
    fs.rmSync(tmp, { recursive: true, force: true })
    paths.forEach((p, i) => {
      if (fs.existsSync(p)) fs.cpSync(p, path.join(tmp, String(i)), { recursive: true })
    })
    fs.mkdirSync(tmp, { recursive: true })
    fs.writeFileSync(path.join(tmp, 'meta.json'), JSON.stringify({ key, paths, savedAt: Date.now() } satisfies Meta))
    // A rename makes the entry appear whole or not at all.
    fs.renameSync(tmp, dir)
    return true
  }
}
