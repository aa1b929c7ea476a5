import type { Plan, PlanItem } from '@/api/plans'
import { describe, expect, it } from 'vitest'
import { canRecord, impossibleReasons, nearestExactSize, progressPercent, quotaRows, sizeRanges, validateDraw, validateResult } from '@/components/plans/plan-logic'

const form = { zone_id: 1, period_start: '2026-12-01', period_end: '2026-12-31', size: '10', per_item: '2', seed: '' }

function item(overrides: Partial<PlanItem> = {}): PlanItem {
  return {
    id: 1, enterprise_id: 1, enterprise_name: '甲公司', grade: 'C', key_reasons: [], named_reason: '',
    inspector_ids: [7], inspectors: [{ id: 7, name: '监察员' }], status: 'pending', result: '', done_on: null, findings: 0,
    ...overrides,
  }
}

describe('draw form checks (same bounds as PlanCreateSchema)', () => {
  it('accepts a complete form with an empty seed', () => {
    expect(Object.values(validateDraw(form, true)).every(e => e === '')).toBe(true)
  })

  it('asks the bureau for a zone but not a zone inspector', () => {
    expect(validateDraw({ ...form, zone_id: null }, true).zone_id).toBe('plan.zoneRequired')
    expect(validateDraw({ ...form, zone_id: null }, false).zone_id).toBe('')
  })

  it('refuses an end before the start, sizes outside 1–5000 and bad seeds', () => {
    const errors = validateDraw({ ...form, period_end: '2026-11-30', size: '0', per_item: '6', seed: '-3' }, false)
    expect(errors).toMatchObject({ period_end: 'plan.endBeforeStart', size: 'plan.sizeInvalid', per_item: 'plan.perItemInvalid', seed: 'plan.seedInvalid' })
    expect(validateDraw({ ...form, size: '2.5' }, false).size).toBe('plan.sizeInvalid')
    expect(validateDraw({ ...form, seed: '2147483648' }, false).seed).toBe('plan.seedInvalid')
    expect(validateDraw({ ...form, seed: '42' }, false).seed).toBe('')
  })
})

describe('quota table', () => {
  it('counts drawn A enterprises without the key objects, and keeps the server verdict', () => {
    const plan = {
      quota_total: 4,
      limits: { A_max: 0, B_min: 1, C_min: 2 },
      quota: { size: true, A_max: true, B_min: false, C_min: true },
      items: [item({ grade: 'A', key_reasons: ['public_place'] }), item({ grade: 'C' }), item({ grade: 'C' }), item({ grade: 'D' })],
    } as Pick<Plan, 'quota_total' | 'limits' | 'quota' | 'items'>
    expect(quotaRows(plan)).toEqual([
      { key: 'A_max', count: 0, bound: 0, ok: true },
      { key: 'B_min', count: 0, bound: 1, ok: false },
      { key: 'C_min', count: 2, bound: 2, ok: true },
      { key: 'size', count: 4, bound: 4, ok: true },
    ])
  })
})

describe('exact sizes', () => {
  it('writes size ranges as people do and offers the exact size nearest the asked one', () => {
    expect(sizeRanges([[2, 4], [7, 7]])).toBe('2–4、7')
    expect(sizeRanges([])).toBe('')
    expect(nearestExactSize([[2, 4], [20, 30]], 10)).toBe(4)
    expect(nearestExactSize([[2, 4], [20, 30]], 15)).toBe(20)
    expect(nearestExactSize([[2, 4]], 3)).toBe(3)
    expect(nearestExactSize([], 10)).toBeNull()
  })
})

describe('progress and refusals', () => {
  it('rounds the executed share and is 0 for an empty plan', () => {
    expect(progressPercent(1, 3)).toBe(33)
    expect(progressPercent(0, 0)).toBe(0)
    expect(progressPercent(10, 10)).toBe(100)
  })

  it('lists the broken quotas of plan_impossible in grade order', () => {
    expect(impossibleReasons({ quotas: { size: 'S', C: 'C 级不足', inspectors: 'I' } })).toEqual(['C 级不足', 'S', 'I'])
    expect(impossibleReasons(undefined)).toEqual([])
  })
})

describe('who records a result', () => {
  it('lets the drawn inspector and the bureau record a pending item only', () => {
    expect(canRecord(item(), { id: '7', role: 'inspector' })).toBe(true)
    expect(canRecord(item(), { id: 8, role: 'inspector' })).toBe(false)
    expect(canRecord(item(), { id: 1, role: 'bureau_admin' })).toBe(true)
    expect(canRecord(item({ status: 'done' }), { id: 7, role: 'inspector' })).toBe(false)
    expect(canRecord(item(), null)).toBe(false)
  })

  it('dates the result between the plan start and today; findings are whole numbers', () => {
    const ok = { status: 'done' as const, done_on: '2026-12-05', findings: '2', result: '' }
    expect(validateResult(ok, '2026-12-01', '2026-12-10')).toEqual({ done_on: '', findings: '' })
    expect(validateResult({ ...ok, done_on: '2026-12-11' }, '2026-12-01', '2026-12-10').done_on).toBe('plan.doneOnRange')
    expect(validateResult({ ...ok, done_on: '2026-11-30' }, '2026-12-01', '2026-12-10').done_on).toBe('plan.doneOnRange')
    expect(validateResult({ ...ok, findings: '-1' }, '2026-12-01', '2026-12-10').findings).toBe('plan.findingsInvalid')
    expect(validateResult({ ...ok, status: 'not_found', findings: '' }, '2026-12-01', '2026-12-10').findings).toBe('')
  })
})
