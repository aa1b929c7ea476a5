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
app.mount('#app')
installVantA11y()
