import * as fs from 'node:fs'
import * as path from 'node:path'
import type { CacheStore } from '../build/cache-store.js'
import type { Report } from '../report/types.js'
import type { BaselineStore } from './baseline.js'

/**
 * Baselines in a CacheStore (the Actions cache on a runner). A cache entry
 * is immutable and scoped to a branch, but a pull request may restore
 * entries of its base branch: exactly "the base branch's latest report".
 * Each default-branch run saves under its own key (leg + run id); a restore
 * by the leg's prefix returns the newest entry.
 *
 * The cache tars paths relative to GITHUB_WORKSPACE and keys its version on
 * the path list, so the report goes to one fixed file in the workspace and
 * is removed again right after.
 *
 * The publish tests use a folder-backed BaselineStore
 * (__fixtures__/folder-store.ts) with the same prefix semantics: the cache
 * service itself is not reachable outside a runner.
 */
export class CacheBaselines implements BaselineStore {
  private readonly file: string

  constructor(
    workspace: string,
    private readonly store: CacheStore
  ) {
    this.file = path.join(workspace, '.thread-scaling-check-baseline', 'report.json')
  }

  async save(key: string, report: Report): Promise<boolean> {
    if (!this.store.available()) return false
    fs.mkdirSync(path.dirname(this.file), { recursive: true })
    fs.writeFileSync(this.file, JSON.stringify(report))
    try {
      return await this.store.save([this.file], key)
    } finally {
      fs.rmSync(path.dirname(this.file), { recursive: true, force: true })
    }
  }

  async restoreLatest(prefix: string): Promise<unknown> {
    if (!this.store.available()) return null
    fs.rmSync(path.dirname(this.file), { recursive: true, force: true })
    try {
      const hit = await this.store.restore([this.file], `${prefix}latest`, [prefix])
      return hit ? (JSON.parse(fs.readFileSync(this.file, 'utf8')) as unknown) : null
    } finally {
      fs.rmSync(path.dirname(this.file), { recursive: true, force: true })
    }
  }
}
