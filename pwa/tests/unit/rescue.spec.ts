import { describe, expect, it } from 'vitest'
import {
  fromLocalInput,
  minutesBetween,
  releaseProblem,
  rescueClock,
  toLocalInput,
} from '@/components/maintenance/rescue'

const REPORTED = '2026-12-07T10:00:00.000Z'
const ARRIVED = '2026-12-07T10:20:30.000Z'
const NOW = new Date('2026-12-07T10:45:00.000Z')

describe('the release time of a trapped order, checked on the phone', () => {
  it('is required', () => {
    expect(releaseProblem(null, ARRIVED, NOW)).toBe('required')
    expect(releaseProblem('', ARRIVED, NOW)).toBe('required')
  })

  it('refuses what is not a time', () => {
    expect(releaseProblem('not a time', ARRIVED, NOW)).toBe('invalid')
  })

  it('refuses a release before the worker scanned the label on arrival, even by seconds', () => {
    expect(releaseProblem('2026-12-07T10:20:00.000Z', ARRIVED, NOW)).toBe('beforeArrival')
  })

  it('refuses a release that has not happened yet', () => {
    expect(releaseProblem('2026-12-07T10:46:00.000Z', ARRIVED, NOW)).toBe('future')
  })

  it('accepts the arrival itself, any time after it, and now', () => {
    expect(releaseProblem(ARRIVED, ARRIVED, NOW)).toBeNull()
    expect(releaseProblem('2026-12-07T10:31:00.000Z', ARRIVED, NOW)).toBeNull()
    expect(releaseProblem(NOW.toISOString(), ARRIVED, NOW)).toBeNull()
  })

  it('is not compared with an arrival the worker has not scanned yet', () => {
    expect(releaseProblem('2026-12-07T10:10:00.000Z', null, NOW)).toBeNull()
  })
})

describe('the rescue clock', () => {
  it('counts whole minutes as the server does, never negative', () => {
    expect(minutesBetween(REPORTED, ARRIVED)).toBe(20)
    expect(minutesBetween(ARRIVED, REPORTED)).toBe(0)
  })

  it('runs from the report with the minutes left before the limit until the worker arrives', () => {
    expect(rescueClock(REPORTED, 30, null, new Date('2026-12-07T10:12:10Z'))).toEqual({
      elapsed: 12,
      left: 18,
      arrived: false,
      late: false,
    })
    expect(rescueClock(REPORTED, 30, null, NOW)).toEqual({ elapsed: 45, left: 0, arrived: false, late: true })
  })

  it('stops at the first scan and says whether it was within the limit', () => {
    expect(rescueClock(REPORTED, 30, ARRIVED, NOW)).toEqual({ elapsed: 20, left: 0, arrived: true, late: false })
    expect(rescueClock(REPORTED, 15, ARRIVED, NOW).late).toBe(true)
  })
})

describe('the release picker', () => {
  it("shows an instant in the phone's time and reads it back", () => {
    const local = toLocalInput(ARRIVED)
    expect(local).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:30$/)
    expect(fromLocalInput(local)).toBe(ARRIVED)
  })

  it('reads an empty or broken value as no time', () => {
    expect(fromLocalInput('')).toBeNull()
    expect(fromLocalInput('2026-13-45T99:00')).toBeNull()
  })
})
