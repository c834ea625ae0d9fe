import * as fs from 'node:fs'
import * as path from 'node:path'
import type { BaselineStore } from '../src/publish/baseline.js'
import type { Report } from '../src/report/types.js'

/**
 * A BaselineStore on a real folder, with the Actions cache's semantics:
 * entries are immutable (saving an existing key fails), and a restore by
 * prefix returns the newest entry whose key starts with it.
 */
export class FolderStore implements BaselineStore {
  private seq = 0

  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true })
  }

  async save(key: string, report: Report): Promise<boolean> {
    const file = path.join(this.dir, `${encodeURIComponent(key)}.json`)
    if (fs.existsSync(file)) throw new Error(`cache entry ${key} already exists`)
    fs.writeFileSync(file, JSON.stringify({ key, seq: ++this.seq, report }))
    return true
  }

  async restoreLatest(prefix: string): Promise<unknown> {
    const entries = fs
      .readdirSync(this.dir)
      .map(f => JSON.parse(fs.readFileSync(path.join(this.dir, f), 'utf8')) as { key: string; seq: number; report: unknown })
      .filter(e => e.key.startsWith(prefix))
      .sort((a, b) => b.seq - a.seq)
    return entries[0]?.report ?? null
  }

  keys(): string[] {
    return fs.readdirSync(this.dir).map(f => decodeURIComponent(f.replace(/\.json$/, '')))
  }
}
