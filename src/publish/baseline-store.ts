import * as cache from '@actions/cache'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Report } from '../report/types.js'
import type { BaselineStore } from './baseline.js'

/**
 * Baselines in the Actions cache. A cache entry is immutable and scoped to
 * a branch, but a pull request may restore entries of its base branch:
 * exactly "the base branch's latest report". Each default-branch run saves
 * under its own key (leg + run id); a restore by the leg's prefix returns
 * the newest entry.
 *
 * The cache tars paths relative to GITHUB_WORKSPACE and keys its version on
 * the path list, so the report goes to one fixed file in the workspace and
 * is removed again right after.
 *
 * The tests use a folder-backed store (__fixtures__/folder-store.ts) with
 * the same prefix semantics: the cache service itself is not reachable
 * outside a runner.
 */
export class ActionsCacheStore implements BaselineStore {
  private readonly file: string

  constructor(workspace: string) {
    this.file = path.join(workspace, '.thread-scaling-check-baseline', 'report.json')
  }

  async save(key: string, report: Report): Promise<boolean> {
    if (!cache.isFeatureAvailable()) return false
    fs.mkdirSync(path.dirname(this.file), { recursive: true })
    fs.writeFileSync(this.file, JSON.stringify(report))
    try {
      // saveCache reports its own failures (as warnings) and returns -1; it throws only for a bad key.
      return (await cache.saveCache([this.file], key)) !== -1
    } finally {
      fs.rmSync(path.dirname(this.file), { recursive: true, force: true })
    }
  }

  async restoreLatest(prefix: string): Promise<unknown> {
    if (!cache.isFeatureAvailable()) return null
    fs.rmSync(path.dirname(this.file), { recursive: true, force: true })
    try {
      const hit = await cache.restoreCache([this.file], `${prefix}latest`, [prefix])
      return hit ? (JSON.parse(fs.readFileSync(this.file, 'utf8')) as unknown) : null
    } finally {
      fs.rmSync(path.dirname(this.file), { recursive: true, force: true })
    }
  }
}
