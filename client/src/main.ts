import { createApp } from 'vue';
import App from './App.vue';
import { router } from './router';
import { restoreSession } from './state/session';
import { loadServerConfig } from './state/server-config';
import { installTheme } from './state/theme';
import './styles/base.css';

installTheme();
void loadServerConfig();
// The session is restored before the first route resolves, so guarded pages see the login.
void restoreSession().then(() => {
  createApp(App).use(router).mount('#app');
});
