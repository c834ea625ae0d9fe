/**
 * Where the build cache's folder is kept between runs. The action uses
 * @actions/cache; tests use a folder (__fixtures__/directory-cache-store.ts). Both behave alike: a
 * restore tries the key, then each restore key as a prefix, newest first.
 */
import * as cache from '@actions/cache'

export interface CacheStore {
  /** Restores `paths`; returns the key that matched, or undefined on a miss. */
  restore(paths: string[], key: string, restoreKeys: string[]): Promise<string | undefined>
  /** Saves `paths` under `key`. An existing entry under the same key is kept (entries are immutable). */
  save(paths: string[], key: string): Promise<void>
}

/** The GitHub Actions cache service, through @actions/cache (needs the runner's ACTIONS_* variables). */
export function actionsCacheStore(): CacheStore {
  return {
    restore: (paths, key, restoreKeys) => cache.restoreCache(paths, key, restoreKeys),
    save: async (paths, key) => {
      try {
        await cache.saveCache(paths, key)
      } catch (e) {
        // Another job saved the same key first: the entry is there, which is all we need.
        if ((e as Error).name !== cache.ReserveCacheError.name) throw e
      }
    }
  }
}
