import type { GitHubClient } from './github-client.js'

/**
 * Open pull requests whose head is this commit. For a workflow_run event
 * the payload's pull_requests list is empty when the PR comes from a fork,
 * so the commit is the reliable key: GET /repos/{owner}/{repo}/commits/{sha}/pulls.
 * `known` are PR numbers the payload already named; they are kept first.
 */
export async function pullRequestsForCommit(client: GitHubClient, owner: string, repo: string, sha: string, known: number[] = []): Promise<number[]> {
  const pulls = await client.paginate(client.rest.repos.listPullRequestsAssociatedWithCommit, { owner, repo, commit_sha: sha, per_page: 100 })
  const found = pulls.filter(p => p.state === 'open' && p.head.sha === sha).map(p => p.number)
  return [...new Set([...known, ...found])].slice(0, 5)
}
