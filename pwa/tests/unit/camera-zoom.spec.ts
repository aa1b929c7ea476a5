import { describe, expect, it } from 'vitest'
import { zoomRangeOf } from '@/composables/use-camera'

describe('the scan screen\'s zoom slider', () => {
  it('shows only where the camera reports a zoom range', () => {
    expect(zoomRangeOf(undefined)).toBeNull()
    expect(zoomRangeOf({})).toBeNull()
    expect(zoomRangeOf({ zoom: { min: 1, max: 1 } })).toBeNull()
  })

  it('uses the camera\'s own step, or twenty steps across the range when it gives none', () => {
    expect(zoomRangeOf({ zoom: { min: 1, max: 8, step: 0.1 } })).toEqual({ min: 1, max: 8, step: 0.1 })
    expect(zoomRangeOf({ zoom: { min: 1, max: 5 } })).toEqual({ min: 1, max: 5, step: 0.2 })
    expect(zoomRangeOf({ zoom: { min: 1, max: 5, step: 0 } })?.step).toBe(0.2)
  })
})
