import { request } from './http'

/** One run of a scheduled job. */
export interface JobRun {
  id: number
  started_at: string
  finished_at: string | null
  outcome: 'running' | 'ok' | 'failed'
  counts: Record<string, number>
  error: string
}

/** One job of `GET /api/jobs` (bureau admins). */
export interface ScheduledJob {
  name: string
  title: string
  /** cron fields, China time: "hour=2 minute=0" */
  schedule: string
  next_due_at: string | null
  running: boolean
  last_run: JobRun | null
  /** failed runs among the last 20 */
  recent_failures: number
}

export interface RunNowResult {
  job: string
  outcome: 'ok' | 'failed'
  counts: Record<string, number>
  error: string
}

export async function fetchJobs(): Promise<ScheduledJob[]> {
  return (await request<{ items: ScheduledJob[] }>('/api/jobs')).items
}

export function runJobNow(name: string): Promise<RunNowResult> {
  return request<RunNowResult>(`/api/jobs/${encodeURIComponent(name)}/run`, { method: 'POST' })
}
