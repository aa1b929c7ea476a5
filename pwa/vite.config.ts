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

/** The screens a first visit most often opens: the sign-in form, and the public pages a QR label leads to. */
const SIGN_IN_VIEW = '/src/views/auth/LoginView.vue'
const PUBLIC_VIEWS = ['/src/views/public/DevicePublicView.vue', '/src/views/public/ComplaintView.vue']
/** The complaint form's photo picker, drawn after the form's first paint (components/AfterFirstPaint.vue). */
const PHOTO_PICKER = '/src/components/photos/PhotoPicker.vue'

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
    // after preloadPublicRoutes has emitted its script
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        const files = Object.keys(bundle)
          .filter(f => f.startsWith('assets/') && /\.(js|css|wasm|woff2)$/.test(f))
          .sort()
          .map(f => `/${f}`)
        this.emitFile({ type: 'asset', fileName: OFFLINE_ASSETS, source: JSON.stringify(files) })
      },
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
        // the form's chunk: its own, or the `sign-in` group it joined (firstScreenChunks)
        const login = chunks.find(c => c.moduleIds.some(m => m.endsWith(SIGN_IN_VIEW)))
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

type ModuleInfoOf = (id: string) => { isEntry: boolean; importedIds: readonly string[] } | null

const VANT_INDEX = /\/vant\/es\/index\.mjs$/
const VANT_STYLE = /\/vant\/es\/([\w-]+)\/style\/index\.mjs$/

/**
 * What a module imports. The auto-import resolvers import every Vant component and function from Vant's index,
 * which re-exports all of Vant (tree-shaking keeps what is used); each such import comes with the component's
 * style module, so read the index import as the components whose styles the module imports.
 */
function importsOf(id: string, info: ModuleInfoOf): string[] {
  const imported = info(id)?.importedIds ?? []
  const index = imported.find(m => VANT_INDEX.test(m))
  if (!index) return [...imported]
  const used = imported.flatMap(m => {
    const name = VANT_STYLE.exec(m)?.[1]
    return name ? [index.replace(VANT_INDEX, `/vant/es/${name}/index.mjs`)] : []
  })
  return [...imported.filter(m => m !== index), ...used.filter(m => info(m))]
}

/** Every module reachable from `roots` through static imports, stopping at the modules in `stop`. */
function staticGraph(roots: string[], info: ModuleInfoOf, stop: Set<string> = new Set()): Set<string> {
  const seen = new Set<string>()
  const todo = roots.filter(id => !stop.has(id))
  while (todo.length) {
    const id = todo.pop()!
    if (seen.has(id)) continue
    seen.add(id)
    for (const next of importsOf(id, info)) if (!seen.has(next) && !stop.has(next)) todo.push(next)
  }
  return seen
}

/**
 * Issues 22 and 25: Vant is split per component, so the sign-in form came in 15 files and the complaint form in
 * ~45, each a request of ~0.9 KB of headers and, over HTTP/1.1, a place in the queue of six connections. Group
 * what those screens import beyond the entry script into one chunk each: `sign-in` (the form and its Vant parts)
 * and `public-screens` (the Vant parts and helpers of the public device page and the complaint form, without the
 * views themselves). Modules the entry script imports stay in the entry (an earlier attempt pulled the entry's
 * Vant helpers into the group: a 99 KB shell); so do the screens' lazy parts (the complaint form's photo
 * picker). Later screens that share a part import it from these chunks.
 */
function firstScreenChunks() {
  let groups: Map<string, string> | null = null
  return {
    manualChunks(
      id: string,
      meta: { getModuleInfo: ModuleInfoOf; getModuleIds: () => IterableIterator<string> },
    ): string | undefined {
      if (!groups) {
        const info = meta.getModuleInfo
        const ids = [...meta.getModuleIds()]
        const byPath = (suffix: string): string[] => ids.filter(m => m.endsWith(suffix))
        const entry = staticGraph(ids.filter(m => info(m)?.isEntry), info)
        const signIn = staticGraph(byPath(SIGN_IN_VIEW), info, entry)
        const views = PUBLIC_VIEWS.flatMap(byPath)
        const publicParts = staticGraph(views, info, new Set([...entry, ...signIn]))
        // the picker came in 12 files, whose link tags Vite's preload helper added in one long task after the
        // complaint form's first paint (Lighthouse's blocking time): one file and its style instead
        const picker = staticGraph(byPath(PHOTO_PICKER), info, new Set([...entry, ...signIn, ...publicParts]))
        // the entry's own modules are named too, else Rollup splits what the entry shares with a group into a
        // third file on the critical path
        groups = new Map([...entry].map(m => [m, 'index']))
        for (const m of signIn) groups.set(m, 'sign-in')
        for (const m of publicParts) if (!views.includes(m.split('?')[0]!)) groups.set(m, 'public-screens')
        for (const m of picker) groups.set(m, 'photo-picker')
      }
      return groups.get(id)
    },
  }
}

const firstScreens = firstScreenChunks()

/** A public page's route: the view a QR label opens, and the paths that open it. */
const PUBLIC_ROUTE_HINTS: { view: string; path: RegExp }[] = [
  { view: PUBLIC_VIEWS[0]!, path: /^\/q\/[^/]+\/?$/ },
  { view: PUBLIC_VIEWS[1]!, path: /^\/complaint\/(?!track(?:\/|$))[^/]+\/?$/ },
]

/**
 * Issue 25: a public page asked for its screen's files only after the entry script had downloaded and run, one
 * more wave of round trips before its first render. A tiny script (CSP allows no inline one) reads the address
 * and hints that screen's files, so they download beside the entry script. Other addresses hint nothing more.
 */
function preloadPublicRoutes(): Plugin {
  return {
    name: 'sesv:preload-public-routes',
    apply: 'build',
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        const html = bundle['index.html']
        if (html?.type !== 'asset') throw new Error('sesv:preload-public-routes: index.html is missing')
        const source = String(html.source)
        const hinted = new Set([...source.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map(m => m[1]!))
        const chunks = Object.values(bundle).filter((c): c is OutputChunk => c.type === 'chunk')
        const routes = PUBLIC_ROUTE_HINTS.map(({ view, path }) => {
          const chunk = chunks.find(c => c.moduleIds.some(m => m.endsWith(view)))
          if (!chunk) throw new Error(`sesv:preload-public-routes: no chunk for ${view}`)
          const files: string[] = []
          const visit = (c: OutputChunk): void => {
            if (c.isEntry || files.includes(c.fileName)) return
            files.push(c.fileName, ...(c.viteMetadata?.importedCss ?? []))
            for (const dep of c.imports) {
              const next = bundle[dep]
              if (next?.type === 'chunk') visit(next)
            }
          }
          visit(chunk)
          return [path.source, files.filter(f => !hinted.has(f)).map(f => `/${f}`)]
        })
        const script =
          `(function(){var r=${JSON.stringify(routes)},p=location.pathname,h=document.head;` +
          'r.forEach(function(x){if(!new RegExp(x[0]).test(p))return;x[1].forEach(function(f){' +
          "var l=document.createElement('link');l.crossOrigin='';" +
          "if(/\\.css$/.test(f)){l.rel='preload';l.as='style'}else l.rel='modulepreload';" +
          'l.href=f;h.appendChild(l)})})})()\n'
        const ref = this.emitFile({ type: 'asset', name: 'route-hints.js', source: script })
        const tag = `<script async src="/${this.getFileName(ref)}"></script>`
        html.source = source.replace(/(<script type="module")/, `${tag}\n    $1`)
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
    preloadSignIn(),
    preloadPublicRoutes(),
    offlineAssetList(),
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
    rollupOptions: {
      // only the modules firstScreenChunks names: Rollup would otherwise pull their dependencies in the entry
      // script (Vue, Vant's shared helpers) into the group, the 99 KB shell of an earlier attempt
      output: { manualChunks: firstScreens.manualChunks, onlyExplicitManualChunks: true },
    },
  },
})
