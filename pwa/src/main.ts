import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { i18n, savedLocale, setLocale } from './i18n'
import { router } from './router'
import { applyFontScale, savedFontScale } from './utils/font-scale'
import { installVantA11y } from './utils/vant-a11y'
import 'vant/es/style/base.css'
import './styles/theme.css'

applyFontScale(savedFontScale())
const app = createApp(App)
app.use(createPinia())
app.use(i18n)
app.use(router)
if (savedLocale() !== 'zh-CN') void setLocale(savedLocale())
// the first screen draws in one go, header and all, once its route (and the data its guard waits for) is ready:
// a screen drawn in pieces after the first paint is what Lighthouse counts as blocking time (issue 25)
void router
  .isReady()
  .catch(() => undefined) // a failed first navigation (router.onError) still gets the app's frame
  .then(() => {
    app.mount('#app')
    installVantA11y()
  })
