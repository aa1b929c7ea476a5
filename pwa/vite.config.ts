import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, relative, sep } from 'node:path'
import { fileURLToPath, URL } from 'node:url'
import VueI18nPlugin from '@intlify/unplugin-vue-i18n/vite'
import { VantResolver } from '@vant/auto-import-resolver'
import vue from '@vitejs/plugin-vue'
import AutoImport from 'unplugin-auto-import/vite'
import Components from 'unplugin-vue-components/vite'
import type { OutputChunk } from 'rollup'
import type { HtmlTagDescriptor, Plugin } from 'vite'
import { defineConfig } from 'vite'
import { VitePWA } from 'vite-plugin-pwa'

const API_TARGET = process.env.VITE_API_TARGET ?? 'http://127.0.0.1:8000'

/**
 * Vant's icon CSS inlines its font as a data: URL (blocked by the server's CSP `font-src 'self'`) and lists a
 * CDN .woff after it (never load from a CDN). Write the font to a real file and point the CSS at it, so it is
 * served from our origin and precached.
 */
function vantIconFontAsFile(): Plugin {
  const fontFile = fileURLToPath(new URL('./node_modules/.sesv/vant-icon.woff2', import.meta.url))
  return {
    name: 'sesv:vant-icon-font',
    enforce: 'pre',
    transform(code, id) {
      if (!id.includes('/vant/') || !id.endsWith('.css') || !code.includes('at.alicdn.com')) return null
      const m = code.match(/url\(data:font\/woff2;charset=utf-8;base64,([A-Za-z0-9+/=]+)\)\s*format\("woff2"\)/)
      if (!m) return null
      mkdirSync(dirname(fontFile), { recursive: true })
      writeFileSync(fontFile, Buffer.from(m[1]!, 'base64'))
      const rel = relative(dirname(id.split('?')[0]!), fontFile).split(sep).join('/')
      const out = code
        .replace(m[0], `url("${rel}") format("woff2")`)
        // text first, icons when the font arrives: a slow network never holds the page's words back
        .replace(/font-display:\s*auto/g, 'font-display: swap')
        .replace(/,\s*url\(\/\/at\.alicdn\.com[^)]*\)\s*format\("woff"\)/g, '')
      return { code: out, map: null }
    },
  }
}

/** The list of every built asset a signed-in user needs offline (src/offline/asset-warmup.ts fetches it). */
export const OFFLINE_ASSETS = 'offline-assets.json'

/**
 * Issue 22: on a weak network the service worker precaching ~170 files competes with the first sign-in and the
 * first sync. The precache holds only the shell (index.html, the entry script and style, icons, font, manifest);
 * every other built asset is listed in offline-assets.json, fetched into the runtime cache after the first sync
 * finishes (src/offline/asset-warmup.ts), and served from that cache by the worker (CacheFirst: names are hashed).
 */
function offlineAssetList(): Plugin {
  return {
    name: 'sesv:offline-asset-list',
    apply: 'build',
    generateBundle(_options, bundle) {
      const files = Object.keys(bundle)
        .filter(f => f.startsWith('assets/') && /\.(js|css|wasm|woff2)$/.test(f))
        .sort()
        .map(f => `/${f}`)
      this.emitFile({ type: 'asset', fileName: OFFLINE_ASSETS, source: JSON.stringify(files) })
    },
  }
}

/**
 * Issue 22: a first visit almost always opens the sign-in form, a lazy screen the browser would ask for only
 * after the entry script ran; its ~15 small files then took three waves of round trips over HTTP/1.1 (1.2 s at
 * 400 ms RTT). Hint them from index.html so they download beside the entry script. They join the precache (a
 * signed-out phone can open the form offline); a signed-in visit reads them from there.
 */
function preloadSignIn(): Plugin {
  return {
    name: 'sesv:preload-sign-in',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const bundle = ctx.bundle
        if (!bundle) return undefined
        const chunks = Object.values(bundle).filter((c): c is OutputChunk => c.type === 'chunk')
        const login = chunks.find(c => c.facadeModuleId?.endsWith('/views/auth/LoginView.vue'))
        if (!login) throw new Error('sesv:preload-sign-in: the sign-in screen chunk is missing')
        const js = new Set<string>()
        const css = new Set<string>()
        const visit = (chunk: OutputChunk): void => {
          if (chunk.isEntry || js.has(chunk.fileName)) return
          js.add(chunk.fileName)
          chunk.viteMetadata?.importedCss.forEach(f => css.add(f))
          for (const dep of chunk.imports) {
            const next = bundle[dep]
            if (next?.type === 'chunk') visit(next)
          }
        }
        visit(login)
        const tags: HtmlTagDescriptor[] = [
          ...[...js].map(f => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `/${f}`, 'data-sign-in': true } })),
          ...[...css].map(f => ({ tag: 'link', attrs: { rel: 'preload', as: 'style', crossorigin: true, href: `/${f}`, 'data-sign-in': true } })),
        ].map(t => ({ ...t, injectTo: 'head' as const }))
        return tags
      },
    },
  }
}

/** Shell files: what dist/index.html references directly (read when the service worker is generated). */
function shellAssets(): Set<string> {
  const html = readFileSync(fileURLToPath(new URL('./dist/index.html', import.meta.url)), 'utf8')
  return new Set([...html.matchAll(/(?:src|href)="\/?(assets\/[^"]+)"/g)].map(m => m[1]!))
}

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string }

export default defineConfig({
  base: '/',
  define: { __APP_VERSION__: JSON.stringify(pkg.version) },
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  plugins: [
    vantIconFontAsFile(),
    offlineAssetList(),
    preloadSignIn(),
    vue(),
    VueI18nPlugin({
      include: [fileURLToPath(new URL('./src/i18n/locales/**', import.meta.url))],
      runtimeOnly: false,
      dropMessageCompiler: true,
      compositionOnly: true,
      fullInstall: false,
    }),
    AutoImport({ resolvers: [VantResolver()], dts: 'src/auto-imports.d.ts' }),
    Components({ resolvers: [VantResolver()], dts: 'src/components.d.ts', dirs: [] }),
    VitePWA({
      registerType: 'prompt',
      strategies: 'generateSW',
      injectRegister: false,
      includeAssets: ['favicon.svg'],
      manifest: {
        name: '特种设备安全监管',
        short_name: '特设监管',
        description: 'Zone·Block·Chain 特种设备安全监管移动端',
        lang: 'zh-CN',
        theme_color: '#1677ff',
        background_color: '#f7f8fa',
        display: 'standalone',
        start_url: '/',
        scope: '/',
        icons: [
          { src: 'pwa-192x192.png', sizes: '192x192', type: 'image/png' },
          { src: 'pwa-512x512.png', sizes: '512x512', type: 'image/png' },
          { src: 'maskable-512x512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,ico,png,svg,webmanifest,wasm,woff2,json}'],
        maximumFileSizeToCacheInBytes: 3 * 1024 * 1024,
        // the shell only; lazy chunks and the QR wasm come after the first sync (offlineAssetList)
        manifestTransforms: [
          async entries => {
            const shell = shellAssets()
            const keep = entries.filter(
              e => !e.url.startsWith('assets/') || shell.has(e.url) || /\.woff2$/.test(e.url),
            )
            return { manifest: keep, warnings: [] }
          },
        ],
        navigateFallback: 'index.html',
        navigateFallbackDenylist: [/^\/api\//],
        cleanupOutdatedCaches: true,
        runtimeCaching: [
          {
            urlPattern: ({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith('/assets/'),
            handler: 'CacheFirst',
            options: { cacheName: 'sesv-assets' },
          },
        ],
      },
      devOptions: { enabled: process.env.VITE_DEV_PWA === 'true', type: 'module' },
    }),
  ],
  server: {
    proxy: { '/api': { target: API_TARGET, changeOrigin: true } },
  },
  build: {
    target: 'es2020',
    outDir: 'dist',
    emptyOutDir: true,
  },
})
