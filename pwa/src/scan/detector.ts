// QR detection: the native BarcodeDetector when it reads qr_code, else the zxing-wasm ponyfill.
// The .wasm is served from our own origin (hashed asset, precached by the service worker), never a CDN.
import { BarcodeDetector as ZXingDetector, prepareZXingModule } from 'barcode-detector/ponyfill'
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url'

// one object, defined once: prepareZXingModule compares overrides shallowly
const ZXING_OVERRIDES = {
  locateFile: (path: string, prefix: string) =>
    path.endsWith('.wasm') ? new URL(wasmUrl, window.location.href).href : prefix + path,
}
prepareZXingModule({ overrides: ZXING_OVERRIDES })

export interface QrDetector {
  detect: (source: ImageBitmapSource) => Promise<Array<{ rawValue: string }>>
}

interface NativeDetectorCtor {
  new (options: { formats: string[] }): QrDetector
  getSupportedFormats: () => Promise<string[]>
}

export async function createQrDetector(): Promise<QrDetector> {
  const Native = (globalThis as { BarcodeDetector?: NativeDetectorCtor }).BarcodeDetector
  if (Native) {
    try {
      const formats = await Native.getSupportedFormats()
      if (formats.includes('qr_code')) return new Native({ formats: ['qr_code'] })
    } catch {
      // fall through to the ponyfill
    }
  }
  return new ZXingDetector({ formats: ['qr_code'] })
}
