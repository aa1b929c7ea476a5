import type { Ref } from 'vue'
import { onScopeDispose, ref } from 'vue'

interface CameraCapabilities extends MediaTrackCapabilities {
  torch?: boolean
  zoom?: { min: number; max: number; step?: number }
}

export interface ZoomRange {
  min: number
  max: number
  step: number
}

/** The zoom the rear camera offers, or null where it has none (or only one level): then no slider shows. */
export function zoomRangeOf(caps: CameraCapabilities | undefined): ZoomRange | null {
  const zoom = caps?.zoom
  if (!zoom || !(zoom.max > zoom.min)) return null
  return { min: zoom.min, max: zoom.max, step: zoom.step && zoom.step > 0 ? zoom.step : (zoom.max - zoom.min) / 20 }
}

/** Why the camera did not open, as the scan screen words it (scanHelp.<code>). */
export type CameraError = 'unsupported' | 'denied' | 'noDevice' | 'busy' | 'failed'

/** getUserMedia's DOMException names → what the user can do about it. */
export function cameraErrorOf(err: unknown): CameraError {
  const name = (err as { name?: string } | null)?.name
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') return 'denied'
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') return 'noDevice'
  if (name === 'NotReadableError' || name === 'TrackStartError' || name === 'AbortError') return 'busy'
  return 'failed'
}

/** One camera stream for the scan screen: rear camera, torch and zoom where the track supports them. */
export function useCamera(video: Ref<HTMLVideoElement | null>) {
  const stream = ref<MediaStream | null>(null)
  const error = ref<CameraError | null>(null)
  const starting = ref(false)
  const torchSupported = ref(false)
  const torchOn = ref(false)
  const zoomRange = ref<ZoomRange | null>(null)
  const zoom = ref(1)

  function track(): MediaStreamTrack | undefined {
    return stream.value?.getVideoTracks()[0]
  }

  async function start(): Promise<void> {
    if (!navigator.mediaDevices?.getUserMedia) {
      error.value = 'unsupported'
      return
    }
    starting.value = true
    error.value = null
    try {
      stream.value = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 } },
        audio: false,
      })
      if (video.value) {
        video.value.srcObject = stream.value
        await video.value.play().catch(() => undefined)
      }
      const caps = track()?.getCapabilities?.() as CameraCapabilities | undefined
      torchSupported.value = caps?.torch === true
      zoomRange.value = zoomRangeOf(caps)
      zoom.value = zoomRange.value?.min ?? 1
    } catch (err) {
      error.value = cameraErrorOf(err)
    } finally {
      starting.value = false
    }
  }

  async function toggleTorch(): Promise<void> {
    const t = track()
    if (!t) return
    const next = !torchOn.value
    await t.applyConstraints({ advanced: [{ torch: next } as MediaTrackConstraintSet] })
    torchOn.value = next
  }

  /** A small label far away: zoom in rather than walk up a ladder (where the camera supports it). */
  async function setZoom(level: number): Promise<void> {
    const t = track()
    if (!t || !zoomRange.value) return
    await t.applyConstraints({ advanced: [{ zoom: level } as MediaTrackConstraintSet] }).catch(() => undefined)
    zoom.value = level
  }

  function stop(): void {
    stream.value?.getTracks().forEach(t => t.stop())
    stream.value = null
    torchOn.value = false
  }

  onScopeDispose(stop)
  return { stream, error, starting, torchSupported, torchOn, zoomRange, zoom, start, stop, toggleTorch, setZoom }
}
